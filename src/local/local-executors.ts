import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsExecutor } from '../aws/sqs/sqs-executor.ts';
import type { UpdraftConfig } from '../core/config/updraft-config.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Executor, ExecutorRegistry } from '../core/ports/executor.ts';
import type { Logger } from '../core/ports/logger.ts';
import { noopMetrics } from '../core/ports/metrics.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import { loadExecutors } from '../services/executors/executor-loader.ts';
import { LOCAL_CREDENTIALS } from './emulators.ts';
import { LocalProcessExecutor } from './local-process-executor.ts';
import { WORKER_ENV } from './worker-pool.ts';

export interface LocalExecutorsOptions {
  config: UpdraftConfig;
  sqs: SQSClient;
  queueUrl: string;
  executionApiUrl: string;
  bucket: string;
  endpoints: { s3: string; region: string };
  logger: Logger;
  clock: Clock;
  workerOutput?: NodeJS.WritableStream;
  /** Keeps child-process executors' output next to the task logs. */
  objectStore: ObjectStore;
  /** Wraps the lambda executor, for tests that simulate the queue's at-least-once delivery. */
  decorateLambda?: (executor: Executor) => Executor;
}

/**
 * `core.executor` as local mode runs it, so a DAG runs unchanged under `updraft standalone`: `lambda` is
 * the same SQS executor on the emulated queue (the local worker pool plays the worker function),
 * `local` runs each attempt as a child process, and so does `fargate` (the container's entry command,
 * run on this machine). Custom executors load as in AWS.
 */
export async function createLocalExecutors(options: LocalExecutorsOptions): Promise<ExecutorRegistry> {
  const { config, logger, clock } = options;
  const parallelism = config.getInteger('core', 'parallelism');
  const common = { parallelism, logger, clock, metrics: noopMetrics };
  const childProcesses = (name: string) =>
    new LocalProcessExecutor({
      ...common,
      name,
      output: options.workerOutput,
      objectStore: options.objectStore,
      // The same names the local worker processes read (the container entry reads them too).
      environment: {
        [WORKER_ENV.executionApiUrl]: options.executionApiUrl,
        [WORKER_ENV.bucket]: options.bucket,
        [WORKER_ENV.s3Endpoint]: options.endpoints.s3,
        [WORKER_ENV.region]: options.endpoints.region,
        [WORKER_ENV.accessKeyId]: LOCAL_CREDENTIALS.accessKeyId,
        [WORKER_ENV.secretAccessKey]: LOCAL_CREDENTIALS.secretAccessKey,
      },
    });
  return loadExecutors({
    specs: config.executors(),
    builtins: {
      lambda: (name) => {
        const executor = new SqsExecutor({ ...common, client: options.sqs, queueUrl: options.queueUrl, name });
        return options.decorateLambda?.(executor) ?? executor;
      },
      local: childProcesses,
      fargate: childProcesses,
    },
    customOptions: common,
    baseDir: process.cwd(),
    environment: 'local',
    logger,
  });
}
