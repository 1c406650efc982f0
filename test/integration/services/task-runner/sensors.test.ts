import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkloadMessage } from '../../../../src/aws/sqs/sqs-executor.ts';
import { delayedRequeueMarker } from '../../../../src/core/scheduling/delayed-requeue.ts';
import { ExecutionApiClient } from '../../../../src/http/execution-api-client.ts';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { createSensorHarness } from './sensor-harness.ts';

let h: Awaited<ReturnType<typeof createSensorHarness>>;
const hooks = () => ((globalThis as { __updraftSensorTest?: { ready: boolean } }).__updraftSensorTest ??= { ready: false });

/** The delivery of one attempt; other tests' reschedules share the queue, so theirs are skipped. */
async function receiveWorkloadOf(ti: { runId: string; taskId: string }) {
  for (let polls = 0; polls < 10; polls++) {
    const received = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: h.queueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    const mine = (received.Messages ?? [])
      .map((message) => parseWorkloadMessage(message.Body!))
      .find((workload) => workload.ti.runId === ti.runId && workload.ti.taskId === ti.taskId);
    if (mine) return mine;
  }
  throw new Error(`no delivery of ${ti.runId}/${ti.taskId} arrived`);
}

beforeAll(async () => {
  h = await createSensorHarness('sensors');
});
afterAll(async () => {
  await h?.close();
});

describe('s3KeySensor against S3 (fauxqs)', () => {
  it('reschedules while no key matches the rendered pattern, and succeeds once one lands', async () => {
    const run = await h.seedRun({ conf: { bucket: h.storage.bucket }, logicalDate: new Date('2024-06-01T00:00:00Z') });
    const first = await h.queue(run, 's3_wait');
    // A key that matches the prefix but not the pattern does not count.
    await h.storage.s3.send(new PutObjectCommand({ Bucket: h.storage.bucket, Key: 'landing/2024-06-01/_SUCCESS', Body: '' }));
    expect(await runTask(first, h.deps())).toEqual({ kind: 'finished', state: 'up_for_reschedule' });
    const parked = await h.ti(first);
    expect(parked?.state).toBe('up_for_reschedule');
    expect(parked?.tryNumber).toBe(1);
    expect(parked?.firstRescheduleDate).toBeInstanceOf(Date);
    expect(parked!.rescheduleDate!.getTime()).toBeGreaterThan(parked!.firstRescheduleDate!.getTime());

    await h.storage.s3.send(new PutObjectCommand({ Bucket: h.storage.bucket, Key: 'landing/2024-06-01/part-0001.csv', Body: 'a,b' }));
    const again = await h.queue(run, 's3_wait');
    expect(await runTask(again, h.deps())).toEqual({ kind: 'finished', state: 'success' });
  });

  it('fails the attempt with a clear message when the worker has no S3 client', async () => {
    const run = await h.seedRun({ conf: { bucket: h.storage.bucket } });
    const attempt = await h.queue(run, 's3_wait');
    expect(await runTask(attempt, h.deps({ s3: undefined }))).toEqual({ kind: 'finished', state: 'failed' });
  });
});

describe("the try's first reschedule date", () => {
  it('is handed back by the start of the next run of the try, and hidden from clients older than 2026-11-23', async () => {
    hooks().ready = false;
    const run = await h.seedRun();
    await runTask(await h.queue(run, 'custom_wait'), h.deps());
    const firstPoke = (await h.metastore.getTaskInstance({ ...run, taskId: 'custom_wait', mapIndex: -1 }))!.firstRescheduleDate!;
    const again = await h.queue(run, 'custom_wait');
    const start = { workerId: 'worker-v', pid: 1, startDate: new Date().toISOString() };
    const old = new ExecutionApiClient({ baseUrl: h.deps().apiBaseUrl, token: again.token, apiVersion: '2026-11-22' });
    expect(await old.start(again.ti, start).then((started) => started.taskInstance)).not.toHaveProperty('firstRescheduleDate');
    const head = new ExecutionApiClient({ baseUrl: h.deps().apiBaseUrl, token: again.token });
    expect((await head.start(again.ti, start)).taskInstance.firstRescheduleDate).toBe(firstPoke.toISOString());
  });
});

describe('externalTaskSensor through the Execution API', () => {
  it("answers another DAG's run and task states for a logical date, and null for a date without a run", async () => {
    const logicalDate = new Date('2024-07-01T00:00:00Z');
    const upstream = await h.seedRun({ dagId: 'upstream_dag', taskIds: ['load', 'other'], logicalDate });
    await h.metastore.updateTaskInstance({ ...upstream, taskId: 'load', mapIndex: -1 }, { state: 'running' });
    const run = await h.seedRun({ logicalDate });
    const workload = await h.queue(run, 'ext_wait');
    const client = new ExecutionApiClient({ baseUrl: (h.deps().apiBaseUrl), token: workload.token });
    expect(await client.getDagRunStates('upstream_dag', logicalDate, ['load'])).toEqual({
      dagRun: { runId: upstream.runId, state: 'running' },
      taskInstances: [{ taskId: 'load', mapIndex: -1, state: 'running' }],
    });
    expect(await client.getDagRunStates('upstream_dag', new Date('2020-01-01T00:00:00Z'))).toEqual({ dagRun: null, taskInstances: [] });
  });

  it('reschedules until the other task succeeds, and fails when it reaches a failed state', async () => {
    const logicalDate = new Date('2024-07-02T00:00:00Z');
    const upstream = await h.seedRun({ dagId: 'upstream_dag', taskIds: ['load'], logicalDate });
    const load = { ...upstream, taskId: 'load', mapIndex: -1 };
    const run = await h.seedRun({ logicalDate });
    expect(await runTask(await h.queue(run, 'ext_wait'), h.deps())).toEqual({ kind: 'finished', state: 'up_for_reschedule' });
    await h.metastore.updateTaskInstance(load, { state: 'success' });
    expect(await runTask(await h.queue(run, 'ext_wait'), h.deps())).toEqual({ kind: 'finished', state: 'success' });

    const failedDate = new Date('2024-07-03T00:00:00Z');
    const failedUpstream = await h.seedRun({ dagId: 'upstream_dag', taskIds: ['load'], logicalDate: failedDate });
    await h.metastore.updateTaskInstance({ ...failedUpstream, taskId: 'load', mapIndex: -1 }, { state: 'failed' });
    const other = await h.seedRun({ logicalDate: failedDate });
    expect(await runTask(await h.queue(other, 'ext_wait'), h.deps())).toEqual({ kind: 'finished', state: 'failed' });
  });
});

describe('a rescheduled try requeued with an SQS delay', () => {
  it('is sent at once with its delay, stays up_for_reschedule, starts from there, and refuses a duplicate', async () => {
    hooks().ready = false;
    const run = await h.seedRun();
    const first = await h.queue(run, 'custom_wait');
    expect(await runTask(first, h.deps())).toEqual({ kind: 'finished', state: 'up_for_reschedule' });
    expect(h.dispatched.at(-1)).toEqual({ kind: 'sent', delaySeconds: expect.any(Number), executor: 'lambda' });
    const parked = await h.ti(first);
    expect(parked).toMatchObject({ state: 'up_for_reschedule', tryNumber: 1, externalExecutorId: delayedRequeueMarker(parked!.rescheduleDate!) });

    const delivered = await receiveWorkloadOf(first.ti);
    expect(delivered).toMatchObject({ ti: first.ti, rescheduleDate: parked!.rescheduleDate!.toISOString() });

    hooks().ready = true;
    expect(await runTask(delivered, h.deps({ workerId: 'worker-b' }))).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.metastore.getXCom(first.ti, 'return_value'))?.value).toBe('ready');
    expect(await runTask(delivered, h.deps({ workerId: 'worker-c' }))).toEqual({ kind: 'not_started', reason: 'invalid_state' });
  });

  it('refuses a delivery sent for an earlier reschedule of the same try', async () => {
    hooks().ready = false;
    const run = await h.seedRun();
    const first = await h.queue(run, 'custom_wait');
    await runTask(first, h.deps());
    const stale = { ...first, rescheduleDate: new Date(Date.now() - 60_000).toISOString() };
    expect(await runTask(stale, h.deps({ workerId: 'worker-d' }))).toEqual({ kind: 'not_started', reason: 'invalid_state' });
    expect((await h.ti(first))?.state).toBe('up_for_reschedule');
  });
});
