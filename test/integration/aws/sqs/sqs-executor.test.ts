import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../../../src/aws/clients.ts';
import { clampDelaySeconds, QueueSendError, SqsExecutor } from '../../../../src/aws/sqs/sqs-executor.ts';
import { parseWorkloadMessage } from '../../../../src/aws/sqs/workload-message.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

function workloadFor(taskId: string, tryNumber = 1): ExecuteTaskWorkload {
  return {
    kind: 'ExecuteTask',
    ti: { dagId: 'etl', runId: 'scheduled__2025-01-01T00:00:00+00:00', taskId, mapIndex: -1, tryNumber },
    versionId: 'v1',
    bundleKey: 'bundles/etl/v1.mjs',
    logKey: `logs/${taskId}.log`,
    token: 'token',
    queuedAt: new Date().toISOString(),
  };
}

describe('SqsExecutor', () => {
  const client = createSqsClient(emulatorClientOptions());
  let queueUrl: string;

  beforeAll(async () => {
    const created = await client.send(new CreateQueueCommand({ QueueName: uniqueName('executor') }));
    queueUrl = created.QueueUrl!;
  });

  it('is named lambda unless told otherwise', () => {
    expect(new SqsExecutor({ client, queueUrl: 'q' }).name).toBe('lambda');
    expect(new SqsExecutor({ client, queueUrl: 'q', name: 'lambda-big' }).name).toBe('lambda-big');
  });

  it('sends the workload as the body, with the task key as message attributes', async () => {
    const executor = new SqsExecutor({ client, queueUrl });
    const workload = workloadFor('extract', 3);

    const { externalId } = await executor.queueWorkload(workload);

    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    const message = received.Messages?.[0];
    expect(externalId).toBeNull();
    expect(parseWorkloadMessage(message!.Body!)).toEqual(workload);
    const attributes = Object.fromEntries(
      Object.entries(message!.MessageAttributes ?? {}).map(([name, value]) => [name, [value.DataType, value.StringValue]]),
    );
    expect(attributes).toEqual({
      dag_id: ['String', 'etl'],
      run_id: ['String', 'scheduled__2025-01-01T00:00:00+00:00'],
      task_id: ['String', 'extract'],
      try_number: ['String', '3'],
    });
  });

  it('sends a burst of workloads in batches of ten, every one of them delivered once', async () => {
    const burstClient = createSqsClient(emulatorClientOptions());
    const { QueueUrl } = await burstClient.send(new CreateQueueCommand({ QueueName: uniqueName('burst') }));
    const requests: string[] = [];
    burstClient.middlewareStack.add(
      (next, context) => async (args) => {
        requests.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const executor = new SqsExecutor({ client: burstClient, queueUrl: QueueUrl! });

    await Promise.all(Array.from({ length: 25 }, (_, index) => executor.queueWorkload(workloadFor(`t${index}`))));

    expect(requests).toEqual(['SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
    const received: string[] = [];
    while (received.length < 25) {
      const batch = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!batch.Messages?.length) break;
      received.push(...batch.Messages.map((message) => parseWorkloadMessage(message.Body!).ti.taskId));
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: batch.Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
    expect(received.sort()).toEqual(Array.from({ length: 25 }, (_, index) => `t${index}`).sort());
  });

  it('delays delivery when asked', async () => {
    const executor = new SqsExecutor({ client, queueUrl });
    await executor.queueWorkload(workloadFor('later'), { delaySeconds: 60 });

    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(received.Messages ?? []).toHaveLength(0);
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
  });

  it('clamps delays to what SQS accepts', async () => {
    expect(clampDelaySeconds(undefined)).toBe(0);
    expect(clampDelaySeconds(-5)).toBe(0);
    expect(clampDelaySeconds(2.2)).toBe(3);
    expect(clampDelaySeconds(3600)).toBe(900);
    // A delay beyond 15 minutes must still be accepted by SQS rather than fail the hand-off.
    const executor = new SqsExecutor({ client, queueUrl });
    await expect(executor.queueWorkload(workloadFor('much-later'), { delaySeconds: 7200 })).resolves.toEqual({ externalId: null });
  });

  it('says which queue failed and why', async () => {
    const missing = queueUrl.replace(/[^/]+$/, uniqueName('missing'));
    const executor = new SqsExecutor({ client, queueUrl: missing });
    const failure = await executor.queueWorkload(workloadFor('x')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueueSendError);
    expect((failure as QueueSendError).code).toBe('queue_send_failed');
    expect((failure as Error).message).toContain(missing);
    expect((failure as Error).message).toMatch(/etl\/.*\/x \(try 1\)/);
  });
});
