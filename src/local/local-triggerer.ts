import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../core/ports/logger.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import { BundleLoader } from '../services/task-runner/bundle-loader.ts';
import { Triggerer } from '../services/triggerer/triggerer.ts';
import { createTriggererHandler } from '../services/triggerer/triggerer-handler.ts';
import { localTriggerQueuePolling } from './local-event-routes.ts';
import { ensureLocalResources } from './local-resources.ts';
import { SqsEventSource } from './sqs-event-source.ts';

/** The trigger queue and its dead-letter queue on the emulator, created at every start (idempotent). */
export async function ensureLocalTriggerQueue(
  sqs: SQSClient,
  s3: S3Client,
  names: { triggerQueue: string; triggerDeadLetterQueue: string; bucket: string },
): Promise<string> {
  const resources = await ensureLocalResources({
    sqs,
    s3,
    queueName: names.triggerQueue,
    deadLetterQueueName: names.triggerDeadLetterQueue,
    bucket: names.bucket,
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 5,
  });
  return resources.queueUrl;
}

export interface LocalTriggererOptions {
  sqs: SQSClient;
  s3: S3Client;
  objectStore: ObjectStore;
  queueUrl: string;
  region: string;
  executionApiUrl: string;
  logger: Logger;
}

/**
 * The triggerer function's local twin: an SQS event source on the trigger queue, in the LocalStack
 * process, with the same handler the Lambda runs. It talks to the local Execution API with the tokens in
 * each batch, like the Lambda; custom triggers' bundles are imported in this process (local mode is for
 * development, so unlike the DAG processor this is not isolated in a child).
 */
export function startLocalTriggerer(options: LocalTriggererOptions): { stop(): Promise<void> } {
  const triggerer = new Triggerer({
    apiBaseUrl: options.executionApiUrl,
    logger: options.logger,
    s3: options.s3,
    bundleLoader: new BundleLoader({ objectStore: options.objectStore }),
  });
  const polling = localTriggerQueuePolling();
  const source = new SqsEventSource({
    client: options.sqs,
    queueUrl: options.queueUrl,
    queueArn: `arn:aws:sqs:${options.region}:000000000000:${options.queueUrl.split('/').pop() ?? 'updraft-triggers'}`,
    region: options.region,
    handler: createTriggererHandler(triggerer, options.logger),
    batchSize: polling.batchSize,
    concurrency: polling.pollers,
    logger: options.logger,
    functionName: 'updraft-triggerer',
    timeoutSeconds: 120,
  });
  source.start();
  return { stop: () => source.stop() };
}
