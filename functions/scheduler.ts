/**
 * The scheduler Lambda: one tick per invocation of its EventBridge rule (every minute). It creates due
 * runs, starts queued ones, and schedules every running run, which also catches up whatever the fast
 * path missed; then it heartbeats the executors. An ECS "Task State Change" event (routed here for the
 * fargate executor) is handed to the executors first, then ticks. An admin command (`updraft_command`,
 * sent with `aws lambda invoke`, see admin-commands.ts) is run, then ticks. An S3 "Object Created" event
 * of an asset bucket is recorded as asset events (src/services/assets), then ticks. Ticks are safe to overlap:
 * every write is conditional and run ids are derived.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../src/aws/clients.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { EmfMetrics } from '../src/aws/cloudwatch/emf-metrics.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { DynamoDbUserStore } from '../src/aws/dynamodb/user-store.ts';
import { DynamoDbAssetTriggerStore } from '../src/aws/dynamodb/asset-trigger-store.ts';
import { parseS3ObjectCreated, S3AssetEventRecorder } from '../src/services/assets/s3-asset-events.ts';
import { DynamoDbBackfillStore } from '../src/aws/dynamodb/backfill-store.ts';
import { FargateExecutor } from '../src/aws/ecs/index.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { resolveTokenKey, SecretsManagerBackend } from '../src/aws/secrets-manager/index.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { noopMetrics } from '../src/core/ports/metrics.ts';
import { loadUpdraftConfig } from '../src/local/config-file.ts';
import { DagVersionCache } from '../src/services/dag-version-cache.ts';
import { TaskTokens } from '../src/services/execution/task-tokens.ts';
import { SchedulerTick, type TickReport } from '../src/services/scheduler/index.ts';
import { isAdminCommand, runAdminCommand, type AdminCommandResult } from '../src/services/scheduler/admin-commands.ts';
import { loadSchedulerConfig } from '../src/services/scheduler/lambda-config.ts';
import { createAwsExecutors } from './wiring/aws-executors.ts';
import { SqsTriggerQueue } from '../src/aws/sqs/trigger-queue.ts';
import { DynamoDbSlotLeaseStore } from '../src/aws/dynamodb/slot-lease-store.ts';
import { DynamoDbPoolStore } from '../src/aws/dynamodb/pool-store.ts';

const config = loadSchedulerConfig(process.env);
const updraftConfig = loadUpdraftConfig(process.env);
const powertools = new PowertoolsLogger({ serviceName: 'updraft-scheduler' });
const logger = fromPowertools(powertools);
const metrics = updraftConfig.getBoolean('metrics', 'enabled')
  ? new EmfMetrics({ namespace: updraftConfig.getString('metrics', 'namespace') })
  : noopMetrics;
const dynamoDb = createDynamoDbClient();
const metastore = new DynamoDbMetastore({ client: dynamoDb, tableName: config.tableName });
// The signing key is read once per container (top-level await: the handler module is ESM).
const tokenKey = await resolveTokenKey(
  config.tokenKey,
  () => new SecretsManagerBackend({ client: new SecretsManagerClient({ maxAttempts: 1 }), clock: systemClock }),
);
const executors = await createAwsExecutors(updraftConfig, config, { logger, metrics, clock: systemClock, sqs: () => createSqsClient() });
const schedulerDeps = {
  metastore,
  executors,
  clock: systemClock,
  tokens: new TaskTokens(tokenKey, systemClock),
  logger,
  metrics,
  dagVersions: new DagVersionCache(metastore),
  backfills: new DynamoDbBackfillStore(dynamoDb, config.tableName),
  assetTriggers: new DynamoDbAssetTriggerStore(dynamoDb, config.tableName),
  // Pools, maxActiveTasks and maxActiveTisPerDag, enforced with slot leases on the same table.
  slotLeases: new DynamoDbSlotLeaseStore(dynamoDb, config.tableName),
  pools: new DynamoDbPoolStore(dynamoDb, config.tableName),
  settings: { ...config.settings, schedulerId: `lambda:${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'scheduler'}` },
  // Deferred tasks' I/O triggers go to the triggerer each tick (and on the tick after an S3 event).
  triggerQueue: config.triggerQueueUrl ? new SqsTriggerQueue({ client: createSqsClient(), queueUrl: config.triggerQueueUrl }) : undefined,
  // Large XComs a mapped task expands over are read from the bucket.
  objectStore: config.bucket ? new S3ObjectStore({ client: createS3Client(), bucket: config.bucket }) : undefined,
};
const tick = new SchedulerTick(schedulerDeps);
const s3AssetEvents = new S3AssetEventRecorder({ ...schedulerDeps, clock: systemClock });
// The simple auth manager's users live in the metastore table: create_user makes a deployment's first one.
const users = new DynamoDbUserStore(dynamoDb, config.tableName);

export const handler = middy<unknown, TickReport | { command: AdminCommandResult; tick: TickReport }>()
  .use(injectLambdaContext(powertools))
  .handler(async (event) => {
    // `aws lambda invoke` with {"updraft_command": ...}: trigger, pause or unpause, then tick so a new run starts now.
    if (isAdminCommand(event)) {
      const command = await runAdminCommand({ ...schedulerDeps, users }, event);
      return { command, tick: await tick.tick() };
    }
    // An object created in one of the deployment's assetBuckets: asset events for the assets it
    // updates, then a tick, so the runs they make due start now rather than at the next minute.
    const s3Object = parseS3ObjectCreated(event);
    if (s3Object) {
      const recorded = await s3AssetEvents.record(s3Object);
      const report = await tick.tick();
      powertools.info('Scheduler tick after an S3 object event done', { ...report, assets: recorded.assetUris });
      return report;
    }
    // An ECS task that changed state: the executor that started it learns its fate now; the tick
    // below acts on it (and, for a task this container never saw, finds it through DescribeTasks).
    for (const executor of executors.all) {
      if (executor instanceof FargateExecutor && executor.acceptTaskStateChange(event)) {
        await tick.executorSync.processEvents(executor);
      }
    }
    const report = await tick.tick();
    powertools.info('Scheduler tick done', { ...report });
    return report;
  });
