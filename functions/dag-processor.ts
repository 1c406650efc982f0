import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { loadDagProcessorConfig } from '../src/services/dag-processing/lambda-config.ts';
import { createDynamoDbClient, createS3Client } from '../src/aws/clients.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { ValidationError } from '../src/core/errors.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import type { Logger } from '../src/core/ports/logger.ts';
import { loadUpdraftConfig } from '../src/local/config-file.ts';
import { DagProcessor, type ObjectEvent, type ObjectEventResult } from '../src/services/dag-processing/index.ts';

/**
 * Lambda entry of the DAG processor: invoked by EventBridge for S3 "Object Created" and "Object Deleted"
 * events of the Updraft bucket (the local runtime raises the same events).
 */

const s3EventSchema = z.object({
  'detail-type': z.enum(['Object Created', 'Object Deleted']),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string() }),
  }),
});

/** The bucket and decoded key of an EventBridge S3 event (keys arrive URL-encoded, spaces as `+`). */
export function parseS3ObjectEvent(event: unknown): ObjectEvent & { bucket: string } {
  const parsed = s3EventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError(
      `Not an S3 "Object Created"/"Object Deleted" EventBridge event: ${parsed.error.issues[0]?.message ?? 'bad shape'}. ` +
        'Route only those events of the Updraft bucket to the DAG processor.',
    );
  }
  const { detail } = parsed.data;
  return {
    detailType: parsed.data['detail-type'],
    bucket: detail.bucket.name,
    key: decodeURIComponent(detail.object.key.replace(/\+/g, ' ')),
  };
}

export type DagProcessorHandler = (event: unknown) => Promise<ObjectEventResult>;

export function createDagProcessorHandler(deps: { processor: DagProcessor; bucket: string; logger: Logger }): DagProcessorHandler {
  return async (event) => {
    const objectEvent = parseS3ObjectEvent(event);
    if (objectEvent.bucket !== deps.bucket) {
      deps.logger.warn('Ignoring an S3 event of another bucket', { bucket: objectEvent.bucket, key: objectEvent.key });
      return { action: 'ignored', reason: `Bucket "${objectEvent.bucket}" is not the Updraft bucket.` };
    }
    const result = await deps.processor.handleObjectEvent({ detailType: objectEvent.detailType, key: objectEvent.key });
    deps.logger.info('S3 event handled', { key: objectEvent.key, action: result.action });
    return result;
  };
}

let cached: DagProcessorHandler | undefined;

/** Built on the first invocation and kept for the container's life (clients, the local dags/ mirror). */
function containerHandler(): DagProcessorHandler {
  if (cached) return cached;
  const config = loadDagProcessorConfig(process.env);
  const logger = fromPowertools(new PowertoolsLogger({ serviceName: 'updraft-dag-processor' }));
  const processor = new DagProcessor({
    metastore: new DynamoDbMetastore({ client: createDynamoDbClient(), tableName: config.UPDRAFT_TABLE_NAME }),
    objectStore: new S3ObjectStore({ client: createS3Client(), bucket: config.UPDRAFT_BUCKET }),
    clock: systemClock,
    logger,
    settings: {
      parseTimeoutSeconds: config.UPDRAFT_PARSE_TIMEOUT_SECONDS,
      dagsArePausedAtCreation: config.UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION,
      // The same core.executor the scheduler reads: a DAG naming another executor is an import error.
      configuredExecutors: loadUpdraftConfig(process.env).executors().map((spec) => spec.alias),
    },
  });
  cached = createDagProcessorHandler({ processor, bucket: config.UPDRAFT_BUCKET, logger });
  return cached;
}

export const handler = (event: unknown): Promise<ObjectEventResult> => containerHandler()(event);
