import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client, createSqsClient } from '../../../src/aws/clients.ts';
import { ensureLocalResources } from '../../../src/local/local-resources.ts';
import { SqsEventSource, type SqsBatchHandler } from '../../../src/local/sqs-event-source.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const options = emulatorClientOptions();
const sqs = createSqsClient(options);
const s3 = createS3Client(options);
const sources: SqsEventSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

/** A task queue whose failed messages come back after one second and go to the DLQ after `maxReceiveCount`. */
async function taskQueue(maxReceiveCount = 5) {
  const resources = await ensureLocalResources({
    sqs,
    s3,
    queueName: uniqueName('es'),
    deadLetterQueueName: uniqueName('es-dlq'),
    bucket: uniqueName('es-bucket'),
    visibilityTimeoutSeconds: 1,
    maxReceiveCount,
  });
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: resources.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { ...resources, queueArn: attributes.Attributes!.QueueArn! };
}

function startSource(queueUrl: string, queueArn: string, handler: SqsBatchHandler, batchSize = 10) {
  const source = new SqsEventSource({ client: sqs, queueUrl, queueArn, region: options.region!, handler, batchSize });
  sources.push(source);
  source.start();
  return source;
}

async function send(client: SQSClient, queueUrl: string, body: string) {
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: { task_id: { DataType: 'String', StringValue: body } },
    }),
  );
  return sent.MessageId!;
}

async function messagesLeft(queueUrl: string): Promise<number> {
  const response = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(response.Attributes!.ApproximateNumberOfMessages) + Number(response.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

describe('SqsEventSource', () => {
  it('delivers records shaped like Lambda’s and deletes them when the handler succeeds', async () => {
    const queue = await taskQueue();
    const ids = [await send(sqs, queue.queueUrl, 'a'), await send(sqs, queue.queueUrl, 'b'), await send(sqs, queue.queueUrl, 'c')];
    const records: SQSRecord[] = [];
    const contexts: string[] = [];
    const allSeen = deferred();
    const source = startSource(queue.queueUrl, queue.queueArn, async (event, context) => {
      records.push(...event.Records);
      contexts.push(context.functionName);
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
      if (records.length >= 3) allSeen.resolve();
    });

    await allSeen.promise;
    await source.stop();

    expect(records.map((record) => record.messageId).sort()).toEqual([...ids].sort());
    const first = records.find((record) => record.body === 'a')!;
    expect(first).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.queueArn,
      awsRegion: options.region,
      md5OfBody: '0cc175b9c0f1b6a831c399e269772661',
      messageAttributes: { task_id: { stringValue: 'a', stringListValues: [], binaryListValues: [], dataType: 'String' } },
    });
    expect(first.receiptHandle).toEqual(expect.any(String));
    expect(first.attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d+$/),
      SenderId: expect.any(String),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
    });
    expect(contexts.every((name) => name === 'updraft-worker')).toBe(true);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });

  it('invokes once per batchSize messages of a receive, at the same time, as Lambda\'s poller does', async () => {
    const queue = await taskQueue();
    for (const body of ['a', 'b', 'c']) await send(sqs, queue.queueUrl, body);
    const batchSizes: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const allSeen = deferred();
    const release = deferred();
    const source = startSource(
      queue.queueUrl,
      queue.queueArn,
      async (event) => {
        batchSizes.push(event.Records.length);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        if (batchSizes.length === 3) allSeen.resolve();
        await release.promise;
        inFlight -= 1;
      },
      1,
    );
    await allSeen.promise;
    release.resolve();
    await source.stop();
    expect(batchSizes).toEqual([1, 1, 1]);
    // One poller received all three (fauxqs returns what is there) and ran three invocations together.
    expect(mostInFlight).toBeGreaterThan(1);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });

  it('redelivers only the messages a partial batch response names', async () => {
    const queue = await taskQueue();
    await send(sqs, queue.queueUrl, 'ok');
    await send(sqs, queue.queueUrl, 'flaky');
    const seen: Array<[string, string]> = [];
    const flakyRetried = deferred();
    const source = startSource(queue.queueUrl, queue.queueArn, async (event): Promise<SQSBatchResponse> => {
      const failures = [];
      for (const record of event.Records) {
        seen.push([record.body, record.attributes.ApproximateReceiveCount]);
        if (record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '1') {
          failures.push({ itemIdentifier: record.messageId });
        }
        if (record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '2') flakyRetried.resolve();
      }
      return { batchItemFailures: failures };
    });

    await flakyRetried.promise;
    await source.stop();

    expect(seen.filter(([body]) => body === 'ok')).toEqual([['ok', '1']]);
    expect(seen.filter(([body]) => body === 'flaky')).toEqual([
      ['flaky', '1'],
      ['flaky', '2'],
    ]);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    const queue = await taskQueue();
    await send(sqs, queue.queueUrl, 'one');
    await send(sqs, queue.queueUrl, 'two');
    const secondTries = new Set<string>();
    const bothRetried = deferred();
    let threw = false;
    const source = startSource(queue.queueUrl, queue.queueArn, async (event: SQSEvent) => {
      if (!threw && event.Records.length === 2) {
        threw = true;
        throw new Error('worker crashed');
      }
      for (const record of event.Records) {
        if (record.attributes.ApproximateReceiveCount === '2') secondTries.add(record.body);
      }
      if (secondTries.size === 2) bothRetried.resolve();
    }, 2);

    await bothRetried.promise;
    await source.stop();

    expect(threw).toBe(true);
    expect([...secondTries].sort()).toEqual(['one', 'two']);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });

  it('fails the whole batch when the response names a message that is not in it, as Lambda does', async () => {
    const queue = await taskQueue();
    await send(sqs, queue.queueUrl, 'x');
    const counts: string[] = [];
    const retried = deferred();
    const source = startSource(queue.queueUrl, queue.queueArn, async (event) => {
      counts.push(...event.Records.map((record) => record.attributes.ApproximateReceiveCount));
      if (counts.length === 1) return { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] };
      retried.resolve();
      return { batchItemFailures: [] };
    });

    await retried.promise;
    await source.stop();

    expect(counts).toEqual(['1', '2']);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount', async () => {
    const queue = await taskQueue(2);
    const id = await send(sqs, queue.queueUrl, 'poison');
    const attempts: string[] = [];
    startSource(queue.queueUrl, queue.queueArn, async (event) => {
      attempts.push(...event.Records.map((record) => record.attributes.ApproximateReceiveCount));
      throw new Error('always fails');
    });

    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.deadLetterQueueUrl, WaitTimeSeconds: 20, MessageAttributeNames: ['All'] }),
    );

    expect(dead.Messages?.map((message) => [message.MessageId, message.Body])).toEqual([[id, 'poison']]);
    expect(attempts).toEqual(['1', '2']);
  });

  it('stop() waits for the handler in flight, then deletes what it handled', async () => {
    const queue = await taskQueue();
    await send(sqs, queue.queueUrl, 'slow');
    const entered = deferred();
    const release = deferred();
    let finished = false;
    const source = startSource(queue.queueUrl, queue.queueArn, async () => {
      entered.resolve();
      await release.promise;
      finished = true;
    });

    await entered.promise;
    let finishedWhenStopped: boolean | undefined;
    const stopping = source.stop().then(() => {
      finishedWhenStopped = finished;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(finishedWhenStopped).toBeUndefined();
    release.resolve();
    await stopping;

    expect(finishedWhenStopped).toBe(true);
    expect(source.running).toBe(false);
    expect(await messagesLeft(queue.queueUrl)).toBe(0);
  });
});
