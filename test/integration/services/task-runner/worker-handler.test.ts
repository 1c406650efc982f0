import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeWorkloadMessage } from '../../../../src/aws/sqs/workload-message.ts';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { createWorkerHandler } from '../../../../src/services/task-runner/worker-handler.ts';
import { createRunnerHarness } from './runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;

beforeAll(async () => {
  h = await createRunnerHarness('runner-wh');
});
afterAll(async () => {
  await h?.close();
});

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks',
    awsRegion: 'us-east-1',
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; message: string; attributes?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) => lines.push({ level, message, attributes });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('createWorkerHandler', () => {
  it('runs a batch concurrently and hands back only the records that could not start for a passing reason', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    const flaky = await h.queue(run, 'flaky');
    const unavailable = await h.queue(run, 'nothing');
    const expired: ExecuteTaskWorkload = { ...(await h.queue(run, 'skipper')), token: 'not-a-valid-token' };
    const unavailableId = encodeTaskInstanceId(unavailable.ti);
    // The API is failing for one task instance only (a 503 from the load balancer, say).
    const fetchWith503: typeof fetch = async (input, init) => {
      if (String(input).includes(unavailableId)) return new Response('Service Unavailable', { status: 503 });
      return fetch(input, init);
    };
    const { logger, lines } = recordingLogger();
    const handler = createWorkerHandler(h.deps({ fetch: fetchWith503, logger }));
    const event: SQSEvent = {
      Records: [
        record('m-extract', serializeWorkloadMessage(extract)),
        record('m-flaky', serializeWorkloadMessage(flaky)),
        record('m-unavailable', serializeWorkloadMessage(unavailable)),
        record('m-expired', serializeWorkloadMessage(expired)),
        record('m-poison', '{"kind":"ExecuteTask","ti":{}}'),
        record('m-not-json', 'hello'),
      ],
    };

    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-unavailable' }] });
    expect((await h.ti(extract))?.state).toBe('success');
    expect((await h.ti(flaky))?.state).toBe('up_for_retry');
    expect((await h.ti(unavailable))?.state).toBe('queued');
    expect((await h.ti(expired))?.state).toBe('queued');
    const poison = lines.filter((line) => line.message.startsWith('Dropping a malformed task message'));
    expect(poison.map((line) => line.attributes?.message_id)).toEqual(['m-poison', 'm-not-json']);
    const refused = lines.find((line) => line.message.startsWith('The attempt could not start and a retry would not help'));
    expect(refused?.attributes).toMatchObject({ task_id: 'skipper', try_number: 1 });
    expect(String(refused?.attributes?.error)).toContain('401');
  });

  it('reports a duplicate delivery of a finished attempt as handled', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    const handler = createWorkerHandler(h.deps());
    expect(await handler({ Records: [record('first', serializeWorkloadMessage(extract))] })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [record('again', serializeWorkloadMessage(extract))] })).toEqual({ batchItemFailures: [] });
    expect((await h.ti(extract))?.state).toBe('success');
  });
});

describe('createWorkerHandler near the Lambda timeout', () => {
  it('stops a task before the invocation would be killed, and fails it saying why', async () => {
    const run = await h.seedRun();
    const watched = await h.queue(run, 'watched');
    const handler = createWorkerHandler(h.deps());
    // An invocation with little time left: the deadline passes while the task waits.
    const context = { getRemainingTimeInMillis: () => 400 } as unknown as Context;
    expect(await handler({ Records: [record('m', serializeWorkloadMessage(watched))] }, context)).toEqual({ batchItemFailures: [] });
    expect((await h.ti(watched))?.state).toBe('failed');
    expect(await h.log(watched)).toContain('WorkerDeadlineError: The worker was about to reach its own time limit');
  });
});
