/**
 * The scheduler Lambda: one tick per invocation of its EventBridge rule (every minute). It creates due
 * runs, starts queued ones, and schedules every running run, which also catches up whatever the fast
 * path missed. Ticks are safe to overlap: every write is conditional and run ids are derived.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createDynamoDbClient, createSqsClient } from '../src/aws/clients.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { SqsExecutor } from '../src/aws/sqs/sqs-executor.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../src/core/ports/executor.ts';
import { DagVersionCache } from '../src/services/dag-version-cache.ts';
import { TaskTokens } from '../src/services/execution/task-tokens.ts';
import { SchedulerTick, type TickReport } from '../src/services/scheduler/index.ts';
import { loadSchedulerConfig } from '../src/services/scheduler/lambda-config.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resolveTokenKey, SecretsManagerBackend } from '../src/aws/secrets-manager/index.ts';

const config = loadSchedulerConfig(process.env);
const powertools = new PowertoolsLogger({ serviceName: 'updraft-scheduler' });
const metastore = new DynamoDbMetastore({ client: createDynamoDbClient(), tableName: config.tableName });
// The signing key is read once per container (top-level await: the handler module is ESM).
const tokenKey = await resolveTokenKey(
  config.tokenKey,
  () => new SecretsManagerBackend({ client: new SecretsManagerClient({ maxAttempts: 1 }), clock: systemClock }),
);
const tick = new SchedulerTick({
  metastore,
  executors: new ExecutorRegistry([new SqsExecutor({ client: createSqsClient(), queueUrl: config.taskQueueUrl })]),
  clock: systemClock,
  tokens: new TaskTokens(tokenKey, systemClock),
  logger: fromPowertools(powertools),
  dagVersions: new DagVersionCache(metastore),
  settings: { ...config.settings, schedulerId: `lambda:${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'scheduler'}` },
});

export const handler = middy<unknown, TickReport>()
  .use(injectLambdaContext(powertools))
  .handler(async () => {
    const report = await tick.tick();
    powertools.info('Scheduler tick done', { ...report });
    return report;
  });
