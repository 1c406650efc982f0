import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../src/aws/clients.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { EmfMetrics } from '../src/aws/cloudwatch/emf-metrics.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { noopMetrics } from '../src/core/ports/metrics.ts';
import { loadUpdraftConfig } from '../src/local/config-file.ts';
import { createAwsExecutors } from './wiring/aws-executors.ts';
import { DynamoDbSlotLeaseStore } from '../src/aws/dynamodb/slot-lease-store.ts';
import { DynamoDbPoolStore } from '../src/aws/dynamodb/pool-store.ts';
import { lazyHandler } from './wiring/lazy-handler.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { createExecutionApiApp } from '../src/http/execution-api/app.ts';
import { loadExecutionApiConfig } from '../src/http/execution-api/lambda-config.ts';
import { DagVersionCache } from '../src/services/dag-version-cache.ts';
import { RunFactsCache } from '../src/services/run-facts-cache.ts';
import type { TaskExecutionDeps } from '../src/services/execution/task-execution-service.ts';
import { TaskTokens } from '../src/services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler } from '../src/services/scheduler/index.ts';
import { RescheduleDispatch } from '../src/services/scheduler/reschedule-dispatch.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resolveTokenKey, SecretsManagerBackend } from '../src/aws/secrets-manager/index.ts';
import { EnvironmentSecretsBackend, MetastoreSecretsBackend, SecretsService } from '../src/services/secrets/index.ts';

/** Mapped instances one finish call's fast path creates (the tick creates the rest of a wider map). */
const FAST_PATH_MAPPED_INSTANCES_PER_PASS = 2_000;

/** The Task Execution API behind API Gateway / a function URL. */

// Validated at init: a misconfigured function fails its first cold start with the reason in the log.
const config = loadExecutionApiConfig(process.env);
const updraftConfig = loadUpdraftConfig(process.env);
const logger = fromPowertools(new PowertoolsLogger({ serviceName: 'updraft-execution-api' }));
// ti_successes / ti_failures, as EMF log lines: flushed after each finish, so nothing waits for a batch.
const metrics = updraftConfig.getBoolean('metrics', 'enabled')
  ? new EmfMetrics({ namespace: updraftConfig.getString('metrics', 'namespace') })
  : noopMetrics;

type Handler = ReturnType<typeof handle>;

/** Clients and caches live as long as the container, so warm invocations reuse connections and DAG versions. */
async function wire(): Promise<Handler> {
  const dynamoDb = createDynamoDbClient();
  const metastore = new DynamoDbMetastore({ client: dynamoDb, tableName: config.tableName });
  // Pools and limits: a finish gives back its slots, the fast path takes them; one store for both.
  const limits = { slotLeases: new DynamoDbSlotLeaseStore(dynamoDb, config.tableName), pools: new DynamoDbPoolStore(dynamoDb, config.tableName) };
  const objectStore = new S3ObjectStore({ client: createS3Client(), bucket: config.bucket });
  // The SDK's own retries are off: the backend retries throttling with jitter itself.
  const secretsManager = new SecretsManagerBackend({
    client: new SecretsManagerClient({ maxAttempts: 1 }),
    clock: systemClock,
    ...config.secretsManager,
  });
  const tokens = new TaskTokens(await resolveTokenKey(config.tokenKey, () => secretsManager), systemClock);
  const dagVersions = new DagVersionCache(metastore);
  const runFacts = new RunFactsCache(metastore);
  let onTaskFinished: TaskExecutionDeps['onTaskFinished'] = async () => {};
  let onTaskRescheduled: TaskExecutionDeps['onTaskRescheduled'];
  if (config.taskQueueUrl) {
    // The fast path queues ready tasks on the executors `core.executor` configures, as the tick does.
    const executors = await createAwsExecutors(
      updraftConfig,
      { taskQueueUrl: config.taskQueueUrl, executionApiUrl: config.executionApiUrl, bucket: config.bucket },
      { logger, metrics: noopMetrics, clock: systemClock, sqs: () => createSqsClient() },
    );
    const scheduler = new RunScheduler({
      metastore,
      executors,
      clock: systemClock,
      tokens,
      logger,
      dagVersions,
      runFacts,
      ...limits,
      objectStore,
      // Failures the fast path writes itself (a timed-out try found on its pass) count too.
      metrics,
      settings: {
        ...DEFAULT_SCHEDULER_SETTINGS,
        schedulerId: `execution-api-${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local'}`,
        // A run's instances share one partition (~1,000 writes/s): a wide map's rest is the tick's.
        maxMappedInstancesPerPass: FAST_PATH_MAPPED_INSTANCES_PER_PASS,
      },
    });
    onTaskFinished = (run, finished) => scheduler.afterTaskFinished(run, finished);
    // A rescheduled try within 15 minutes goes out at once with an SQS delay; later ones wait for the tick.
    const rescheduleDispatch = new RescheduleDispatch({ metastore, executors, tokens, dagVersions, runFacts, clock: systemClock, logger });
    onTaskRescheduled = async (attempt, rescheduleDate) => void (await rescheduleDispatch.dispatch(attempt, rescheduleDate));
  }
  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock: systemClock,
    logger,
    dagVersions,
    runFacts,
    onTaskFinished,
    onTaskRescheduled,
    metrics,
    ...limits,
    // Airflow's search order: environment, then Secrets Manager, then the metastore.
    secrets: new SecretsService([new EnvironmentSecretsBackend(process.env), secretsManager, new MetastoreSecretsBackend(metastore)], {
      logger,
    }),
    ...(config.heartbeatIntervalSeconds ? { heartbeatIntervalSeconds: config.heartbeatIntervalSeconds } : {}),
  });
  return handle(app);
}

// A failed cold start (say, the key secret is missing) is retried by the next invocation.
export const handler = lazyHandler<LambdaEvent, Context, Awaited<ReturnType<Handler>>>(wire);
