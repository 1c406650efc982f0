/**
 * The worker Lambda: runs task attempts delivered by the SQS executor. Configuration is validated and
 * clients are created once per container, at cold start; a warm container reuses them and its bundle cache.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createS3Client } from '../src/aws/clients.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { BundleLoader } from '../src/services/task-runner/bundle-loader.ts';
import { loadWorkerConfig } from '../src/services/task-runner/worker-config.ts';
import { createWorkerHandler } from '../src/services/task-runner/worker-handler.ts';

const config = loadWorkerConfig(process.env);
// Records of one batch run concurrently, so dag_id, run_id, task_id and try_number go on each log call.
const logger = new Logger({ serviceName: 'updraft-worker' });
const portLogger = fromPowertools(logger);
// The worker role's own client: the DAG bundles, and s3KeySensor's checks.
const s3 = createS3Client();
const objectStore = new S3ObjectStore({ client: s3, bucket: config.bucket });

// One id per container: a redelivery to the same container is recognised by the start gate.
const workerId = `lambda:${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? randomUUID()}`;

const handleBatch = createWorkerHandler({
  apiBaseUrl: config.executionApiUrl,
  objectStore,
  workerId,
  logger: portLogger,
  bundleLoader: new BundleLoader({ objectStore }),
  s3,
});

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => handleBatch(event, context));
