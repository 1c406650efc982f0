/**
 * The triggerer Lambda: polls the triggers of deferred tasks that the scheduler sends each tick, in
 * batches, through the trigger queue. It has the worker's security posture: no metastore and no secret,
 * only the Execution API with the per-attempt tokens in each batch (and S3 reads for s3_key triggers
 * and for the DAG bundles that define custom triggers).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createS3Client } from '../src/aws/clients.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { BundleLoader } from '../src/services/task-runner/bundle-loader.ts';
import { Triggerer } from '../src/services/triggerer/triggerer.ts';
import { loadTriggererConfig } from '../src/services/triggerer/triggerer-config.ts';
import { createTriggererHandler } from '../src/services/triggerer/triggerer-handler.ts';

const config = loadTriggererConfig(process.env);
const logger = new Logger({ serviceName: 'updraft-triggerer' });
const portLogger = fromPowertools(logger);
const s3 = createS3Client();
const objectStore = new S3ObjectStore({ client: s3, bucket: config.bucket });

const handleBatch = createTriggererHandler(
  new Triggerer({
    apiBaseUrl: config.executionApiUrl,
    logger: portLogger,
    s3,
    bundleLoader: new BundleLoader({ objectStore }),
    pollTimeoutMs: config.pollTimeoutMs,
  }),
  portLogger,
);

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event) => handleBatch(event));
