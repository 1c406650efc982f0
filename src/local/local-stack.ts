import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../aws/dynamodb/index.ts';
import { S3ObjectStore } from '../aws/s3/object-store.ts';
import type { UpdraftConfig } from '../core/config/updraft-config.ts';
import { systemClock, type Clock } from '../core/ports/clock.ts';
import type { Executor, ExecutorRegistry } from '../core/ports/executor.ts';
import type { Logger } from '../core/ports/logger.ts';
import { createExecutionApiApp, serveExecutionApi } from '../http/execution-api/index.ts';
import { DagProcessor } from '../services/dag-processing/dag-processor.ts';
import { DagVersionCache } from '../services/dag-version-cache.ts';
import { RunFactsCache } from '../services/run-facts-cache.ts';
import { TaskTokens } from '../services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler, SchedulerTick, type SchedulerSettings } from '../services/scheduler/index.ts';
import { RescheduleDispatch } from '../services/scheduler/reschedule-dispatch.ts';
import { createRestApiApp, serveRestApi, UPDRAFT_VERSION } from '../http/rest-api/index.ts';
import { DynamoDbPoolStore } from '../aws/dynamodb/pool-store.ts';
import { DynamoDbSlotLeaseStore } from '../aws/dynamodb/slot-lease-store.ts';
import { DynamoDbBackfillStore } from '../aws/dynamodb/backfill-store.ts';
import { DynamoDbAssetTriggerStore } from '../aws/dynamodb/asset-trigger-store.ts';
import { DynamoDbUserStore } from '../aws/dynamodb/user-store.ts';
import { ensureAdminUser } from '../services/auth/bootstrap-admin.ts';
import { loadAuthManager } from '../services/auth/load-auth-manager.ts';
import { DagFolderSync } from './dag-folder-sync.ts';
import { loadRestApiJwtSecret } from './rest-api-secret.ts';
import { LocalEventRouter } from './local-event-routes.ts';
import { LOCAL_CREDENTIALS, startEmulators, type RunningEmulators } from './emulators.ts';
import { loadUpdraftConfig } from './config-file.ts';
import { createLocalExecutors } from './local-executors.ts';
import { ensureLocalResources } from './local-resources.ts';
import { WorkerPool } from './worker-pool.ts';
import { SqsTriggerQueue } from '../aws/sqs/trigger-queue.ts';
import { ensureLocalTriggerQueue, startLocalTriggerer } from './local-triggerer.ts';

/** Names of the local resources; in AWS the CDK stack names them. */
export const LOCAL_RESOURCE_NAMES = {
  table: 'updraft',
  bucket: 'updraft',
  queue: 'updraft-tasks',
  deadLetterQueue: 'updraft-tasks-dlq',
  triggerQueue: 'updraft-triggers',
  triggerDeadLetterQueue: 'updraft-triggers-dlq',
} as const;

export interface LocalStackOptions {
  /** State folder (DynamoDB data, S3 objects, token key); null keeps everything in memory. */
  home: string | null;
  dagsFolder: string;
  workers: number;
  executionApiPort: number;
  /** Port of the REST API on localhost (0: any free port). */
  restApiPort?: number;
  logger: Logger;
  clock?: Clock;
  schedulerSettings?: Partial<SchedulerSettings>;
  /** Where worker processes write their output (default: stderr). */
  workerOutput?: NodeJS.WritableStream;
  /** How often workers heartbeat (default 10 s); tests shorten it with the heartbeat timeout. */
  heartbeatIntervalSeconds?: number;
  /** Wraps the lambda executor, for tests that simulate the queue's at-least-once delivery. */
  decorateExecutor?: (executor: Executor) => Executor;
  /** Updraft's configuration (`core.executor`, `core.parallelism`...); default: updraft.cfg and UPDRAFT__* of this process. */
  config?: UpdraftConfig;
}

/**
 * Every piece of Updraft in one process tree, wired as AWS wires it: the same adapters, pointed at the
 * embedded emulators. `updraft standalone`, `updraft dags test`, the end-to-end tests and the benchmark
 * all run on this.
 */
export class LocalStack {
  private tickLoop: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> | null = null;

  private constructor(
    readonly emulators: RunningEmulators,
    readonly metastore: DynamoDbMetastore,
    readonly objectStore: S3ObjectStore,
    readonly processor: DagProcessor,
    readonly runScheduler: RunScheduler,
    readonly tick: SchedulerTick,
    readonly dagSync: DagFolderSync,
    readonly workers: WorkerPool,
    readonly executionApiUrl: string,
    readonly restApiUrl: string,
    /** The password of the admin user this start created (first start only), to be shown once; else null. */
    readonly adminPassword: string | null,
    readonly schedulerDeps: ConstructorParameters<typeof RunScheduler>[0],
    readonly executors: ExecutorRegistry,
    private readonly closeExecutionApi: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  static async start(options: LocalStackOptions): Promise<LocalStack> {
    const { home, logger } = options;
    const clock = options.clock ?? systemClock;
    if (home) mkdirSync(home, { recursive: true });
    const emulators = await startEmulators(
      home ? { dynamoDbPath: join(home, 'dynamodb'), s3DataPath: join(home, 's3') } : {},
    );
    try {
      const clientOptions = {
        region: emulators.endpoints.region,
        dynamodbEndpoint: emulators.endpoints.dynamodb,
        sqsEndpoint: emulators.endpoints.sqs,
        s3Endpoint: emulators.endpoints.s3,
        credentials: { ...LOCAL_CREDENTIALS },
      };
      const dynamo = createDynamoDbClient(clientOptions);
      const sqs = createSqsClient(clientOptions);
      const s3 = createS3Client(clientOptions);
      await createMetastoreTable(dynamo, LOCAL_RESOURCE_NAMES.table);
      const queues = await ensureLocalResources({
        sqs,
        s3,
        queueName: LOCAL_RESOURCE_NAMES.queue,
        deadLetterQueueName: LOCAL_RESOURCE_NAMES.deadLetterQueue,
        bucket: LOCAL_RESOURCE_NAMES.bucket,
        visibilityTimeoutSeconds: 60,
        maxReceiveCount: 5,
      });
      const queueArn = `arn:aws:sqs:${emulators.endpoints.region}:000000000000:${LOCAL_RESOURCE_NAMES.queue}`;
      // Deferral: the trigger queue, as the stack creates it (see local-triggerer.ts).
      const triggerQueueUrl = await ensureLocalTriggerQueue(sqs, s3, LOCAL_RESOURCE_NAMES);

      const metastore = new DynamoDbMetastore({ client: dynamo, tableName: LOCAL_RESOURCE_NAMES.table });
      const objectStore = new S3ObjectStore({ client: s3, bucket: LOCAL_RESOURCE_NAMES.bucket });
      const tokens = new TaskTokens(loadTokenSecret(home), clock);
      const dagVersions = new DagVersionCache(metastore);
      const runFacts = new RunFactsCache(metastore);
      // Pools and limits: the tick, the fast path and finishes share one slot lease store, as in AWS.
      const limits = {
        slotLeases: new DynamoDbSlotLeaseStore(dynamo, LOCAL_RESOURCE_NAMES.table),
        pools: new DynamoDbPoolStore(dynamo, LOCAL_RESOURCE_NAMES.table),
      };
      const config = options.config ?? loadUpdraftConfig();
      // The Execution API comes first: executors hand its URL to the processes they start. Its fast path
      // reaches the scheduler, built just below, only once a task has run.
      let runScheduler: RunScheduler | undefined;
      let rescheduleDispatch: RescheduleDispatch | undefined;
      const app = createExecutionApiApp({
        metastore,
        objectStore,
        tokens,
        clock,
        logger,
        dagVersions,
        runFacts,
        heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
        ...limits,
        onTaskFinished: async (run, finished) => runScheduler?.afterTaskFinished(run, finished),
        // As in AWS: a rescheduled try within 15 minutes is sent at once with a queue delay.
        onTaskRescheduled: async (attempt, rescheduleDate) => void (await rescheduleDispatch?.dispatch(attempt, rescheduleDate)),
      });
      const api = await serveExecutionApi(app, { port: options.executionApiPort, host: '127.0.0.1' });
      const executors = await createLocalExecutors({
        config,
        sqs,
        queueUrl: queues.queueUrl,
        executionApiUrl: api.url,
        bucket: LOCAL_RESOURCE_NAMES.bucket,
        endpoints: emulators.endpoints,
        logger,
        clock,
        workerOutput: options.workerOutput,
        objectStore,
        decorateLambda: options.decorateExecutor,
      }).catch(async (error: unknown) => {
        await api.close();
        throw error;
      });
      const schedulerDeps = {
        metastore,
        executors,
        clock,
        tokens,
        logger,
        dagVersions,
        runFacts,
        backfills: new DynamoDbBackfillStore(dynamo, LOCAL_RESOURCE_NAMES.table),
        assetTriggers: new DynamoDbAssetTriggerStore(dynamo, LOCAL_RESOURCE_NAMES.table),
        triggerQueue: new SqsTriggerQueue({ client: sqs, queueUrl: triggerQueueUrl }),
        objectStore,
        ...limits,
        settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'local', ...options.schedulerSettings },
      };
      runScheduler = new RunScheduler(schedulerDeps);
      rescheduleDispatch = new RescheduleDispatch(schedulerDeps);
      const tick = new SchedulerTick(schedulerDeps);
      const processor = new DagProcessor({
        metastore,
        objectStore,
        clock,
        logger,
        settings: { parseTimeoutSeconds: 30, dagsArePausedAtCreation: false, configuredExecutors: executors.names },
      });
      // S3 object events reach their functions through the same event routes as in AWS.
      const router = new LocalEventRouter({ 'dag-processor': (event) => processor.handleObjectEvent(event) }, logger);
      const dagSync = new DagFolderSync({
        folder: options.dagsFolder,
        objectStore,
        logger,
        onEvent: async (event) => {
          await router.bucketObject(event);
        },
      });
      // The REST API as in AWS, with the simple auth manager over users in the metastore table. The token
      // secret lives in the state folder, where the CLI finds it too; the first start creates an admin.
      const users = new DynamoDbUserStore(dynamo, LOCAL_RESOURCE_NAMES.table);
      const authManager = await loadAuthManager(config, {
        users,
        clock,
        logger,
        jwtSecret: home ? loadRestApiJwtSecret(home) : randomBytes(48).toString('base64url'),
        dagTags: async (dagId) => (await metastore.getDag(dagId))?.tags ?? null,
      });
      const adminPassword = await ensureAdminUser(users, { clock });
      const restApp = createRestApiApp({
        metastore,
        objectStore,
        pools: new DynamoDbPoolStore(dynamo, LOCAL_RESOURCE_NAMES.table),
        backfills: schedulerDeps.backfills,
        authManager,
        executors,
        clock,
        logger,
        version: UPDRAFT_VERSION,
        config,
      });
      const restApi = await serveRestApi(restApp, { port: options.restApiPort ?? 0, host: '127.0.0.1' }).catch(async (error: unknown) => {
        await api.close();
        throw error;
      });
      const workers = new WorkerPool({
        size: options.workers,
        logger,
        output: options.workerOutput,
        environment: {
          executionApiUrl: api.url,
          queueUrl: queues.queueUrl,
          queueArn,
          bucket: LOCAL_RESOURCE_NAMES.bucket,
          sqsEndpoint: emulators.endpoints.sqs,
          s3Endpoint: emulators.endpoints.s3,
          region: emulators.endpoints.region,
          ...LOCAL_CREDENTIALS,
        },
      });
      workers.start();
      const triggerer = startLocalTriggerer({ sqs, s3, objectStore, queueUrl: triggerQueueUrl, region: emulators.endpoints.region, executionApiUrl: api.url, logger });
      return new LocalStack(
        emulators,
        metastore,
        objectStore,
        processor,
        runScheduler,
        tick,
        dagSync,
        workers,
        api.url,
        restApi.url,
        adminPassword,
        schedulerDeps,
        executors,
        async () => {
          await triggerer.stop();
          await Promise.all([api.close(), restApi.close()]);
        },
        logger,
      );
    } catch (error) {
      await emulators.stop();
      throw error;
    }
  }

  /** Runs a scheduler tick every `intervalMs`, never two at once (the EventBridge rule's local twin). */
  startTicking(intervalMs: number): void {
    const loop = async () => {
      this.ticking = this.tick.tick().catch((error: unknown) => {
        this.logger.error('Scheduler tick failed', { error: String(error) });
      });
      await this.ticking;
      this.ticking = null;
      if (this.tickLoop) this.tickLoop = setTimeout(() => void loop(), intervalMs);
    };
    this.tickLoop = setTimeout(() => void loop(), 0);
  }

  async stop(): Promise<void> {
    if (this.tickLoop) clearTimeout(this.tickLoop);
    this.tickLoop = null;
    await this.ticking;
    await this.dagSync.stop();
    await this.workers.stop();
    await Promise.all(this.executors.all.map((executor) => executor.terminate()));
    await this.closeExecutionApi();
    await this.emulators.stop();
  }
}

/** The key that signs task tokens: kept in the state folder so tokens survive a restart. */
function loadTokenSecret(home: string | null): Buffer {
  if (!home) return randomBytes(32);
  const path = join(home, 'token-signing-key');
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString('base64'), { mode: 0o600 });
  return secret;
}
