import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createS3Client, createSqsClient } from '../../../src/aws/clients.ts';
import { ensureLocalResources } from '../../../src/local/local-resources.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';

describe('ensureLocalResources', () => {
  const sqs = createSqsClient(emulatorClientOptions());
  const s3 = createS3Client(emulatorClientOptions());

  async function queueAttributes(queueUrl: string) {
    const response = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    return response.Attributes ?? {};
  }

  it('creates the task queue with a redrive policy to its dead-letter queue, and the bucket', async () => {
    const names = { queueName: uniqueName('tasks'), deadLetterQueueName: uniqueName('tasks-dlq'), bucket: uniqueName('updraft') };

    const resources = await ensureLocalResources({ sqs, s3, ...names, visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });

    const main = await queueAttributes(resources.queueUrl);
    expect(main.VisibilityTimeout).toBe('30');
    expect(JSON.parse(main.RedrivePolicy!)).toEqual({ deadLetterTargetArn: resources.deadLetterQueueArn, maxReceiveCount: 3 });
    const dlq = await queueAttributes(resources.deadLetterQueueUrl);
    expect(dlq.QueueArn).toBe(resources.deadLetterQueueArn);
    expect(resources.deadLetterQueueArn).toMatch(new RegExp(`:${names.deadLetterQueueName}$`));
    await expect(s3.send(new HeadBucketCommand({ Bucket: names.bucket }))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('can run again, and applies changed settings to the existing queue', async () => {
    const names = { queueName: uniqueName('tasks'), deadLetterQueueName: uniqueName('tasks-dlq'), bucket: uniqueName('updraft') };
    const first = await ensureLocalResources({ sqs, s3, ...names, visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });

    const second = await ensureLocalResources({ sqs, s3, ...names, visibilityTimeoutSeconds: 120, maxReceiveCount: 5 });

    expect(second).toEqual(first);
    const main = await queueAttributes(second.queueUrl);
    expect(main.VisibilityTimeout).toBe('120');
    expect(JSON.parse(main.RedrivePolicy!).maxReceiveCount).toBe(5);
  });
});
