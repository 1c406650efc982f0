import { CreateBucketCommand, HeadBucketCommand, type BucketLocationConstraint, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { UpdraftError } from '../core/errors.ts';

/**
 * The resources the CDK stack creates in AWS, created on the emulators for local mode: the task queue
 * with its redrive policy, its dead-letter queue, and the Updraft bucket. Safe to run at every start.
 */
export interface LocalResourceOptions {
  sqs: SQSClient;
  s3: S3Client;
  queueName: string;
  deadLetterQueueName: string;
  bucket: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface LocalResources {
  queueUrl: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

export class LocalResourceError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('local_resources', message, options);
  }
}

/** What a dead-letter queue keeps: SQS's maximum, so nothing vanishes before someone looks. */
const DLQ_RETENTION_SECONDS = '1209600';

export async function ensureLocalResources(options: LocalResourceOptions): Promise<LocalResources> {
  const { sqs } = options;
  const deadLetterQueueUrl = await ensureQueue(sqs, options.deadLetterQueueName, {
    MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
  });
  const deadLetterQueueArn = await queueArn(sqs, deadLetterQueueUrl);
  const queueUrl = await ensureQueue(sqs, options.queueName, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: options.maxReceiveCount }),
  });
  await ensureBucket(options.s3, options.bucket);
  return { queueUrl, deadLetterQueueUrl, deadLetterQueueArn };
}

/**
 * CreateQueue fails when the queue exists with other attribute values, and a changed setting (say, the
 * visibility timeout) must still apply on the next start: so look up first, then set the attributes.
 */
async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const existing = await findQueueUrl(sqs, name);
    if (existing) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing, Attributes: attributes }));
      return existing;
    }
    try {
      const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (created.QueueUrl) return created.QueueUrl;
    } catch (error) {
      // Another process created it between our lookup and our create.
      const raced = await findQueueUrl(sqs, name);
      if (!raced) throw error;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: raced, Attributes: attributes }));
      return raced;
    }
    throw new Error('CreateQueue returned no QueueUrl.');
  } catch (error) {
    throw new LocalResourceError(
      `Could not create or update the SQS queue "${name}": ${(error as Error).message}. ` +
        'Check that the SQS emulator is running and that its endpoint is configured.',
      { cause: error },
    );
  }
}

async function findQueueUrl(sqs: SQSClient, name: string): Promise<string | null> {
  try {
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return found.QueueUrl ?? null;
  } catch (error) {
    if (error instanceof QueueDoesNotExist || (error as { name?: string }).name === 'QueueDoesNotExist') return null;
    if ((error as { name?: string }).name === 'AWS.SimpleQueueService.NonExistentQueue') return null;
    throw error;
  }
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const response = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = response.Attributes?.QueueArn;
  if (!arn) throw new LocalResourceError(`SQS did not report an ARN for ${queueUrl}; the redrive policy needs it.`);
  return arn;
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) {
      throw new LocalResourceError(`Could not check the S3 bucket "${bucket}": ${(error as Error).message}.`, { cause: error });
    }
  }
  const region = await s3.config.region();
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that rejects an explicit location constraint.
        ...(region && region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
          : {}),
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'BucketAlreadyOwnedByYou') return;
    throw new LocalResourceError(
      `Could not create the S3 bucket "${bucket}": ${(error as Error).message}. ` +
        'Check that the S3 emulator is running and that the client uses path-style addressing.',
      { cause: error },
    );
  }
}
