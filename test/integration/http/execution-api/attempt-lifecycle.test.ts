import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { taskInstanceDurationSeconds } from '../../../../src/core/model/records.ts';
import { attemptOf, createApiHarness, detailOf, startedOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('exec-lifecycle');
});

afterAll(() => h?.close());

describe('an attempt from start to finish', () => {
  it('starts, heartbeats, succeeds, and hands its return value to the downstream tasks', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);

    const started = await h.api.start(extract);
    expect(started.status).toBe(200);
    expect(await started.json()).toEqual({
      dagRun: {
        dagId: 'etl',
        runId: run.runId,
        logicalDate: run.logicalDate.toISOString(),
        dataIntervalStart: run.dataInterval.start.toISOString(),
        dataIntervalEnd: run.dataInterval.end.toISOString(),
        runAfter: run.runAfter.toISOString(),
        runType: 'manual',
        conf: { limit: 5, unrelated: true },
      },
      taskInstance: { taskId: 'extract', mapIndex: -1, tryNumber: 1, maxTries: 1, nextMethod: null, nextKwargs: null, firstRescheduleDate: null },
      params: { region: 'eu', limit: 5 },
      upstreamXComs: {},
      heartbeatIntervalSeconds: 10,
    });
    expect(await h.ti(extract)).toMatchObject({
      state: 'running',
      workerId: 'worker-1',
      startDate: h.clock.now(),
      lastHeartbeatAt: h.clock.now(),
    });

    h.clock.advanceSeconds(30);
    expect((await h.api.heartbeat(extract)).status).toBe(204);
    expect((await h.ti(extract))?.lastHeartbeatAt).toEqual(h.clock.now());

    h.clock.advanceSeconds(15);
    const finished = await h.api.finish(extract, { state: 'success', returnValue: { rows: 3 } });
    expect(finished.status).toBe(204);
    const record = await h.ti(extract);
    expect(record).toMatchObject({ state: 'success', endDate: h.clock.now() });
    expect(taskInstanceDurationSeconds(record!)).toBe(45);
    expect(h.finishedRuns).toContainEqual({ dagId: 'etl', runId: run.runId });

    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    const transformStart = await h.api.start(transform);
    expect((await startedOf(transformStart)).upstreamXComs).toEqual({ extract: { rows: 3 } });
    await h.api.finish(transform, { state: 'success', returnValue: 'transformed' });

    const load = attemptOf(run, 'load', 1);
    await h.queue(load);
    // load's upstream is transform; its argument references extract: both values come with the start.
    expect((await startedOf(await h.api.start(load))).upstreamXComs).toEqual({ transform: 'transformed', extract: { rows: 3 } });
  });

  it('answers a repeated start by the same worker with 200 again', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    expect((await h.api.start(extract, 'worker-1')).status).toBe(200);
    const again = await h.api.start(extract, 'worker-1');
    expect(again.status).toBe(200);
    expect((await startedOf(again)).taskInstance.tryNumber).toBe(1);
  });

  it('refuses a start by another worker with 409 running_elsewhere', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract, 'worker-1');
    const duplicate = await h.api.start(extract, 'worker-2');
    expect(duplicate.status).toBe(409);
    expect(await detailOf(duplicate)).toMatchObject({ reason: 'running_elsewhere', currentState: 'running' });
    expect((await h.ti(extract))?.workerId).toBe('worker-1');
  });

  it('refuses to start a finished attempt with 409 invalid_state', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    await h.api.finish(extract, { state: 'success' });
    const late = await h.api.start(extract, 'worker-3');
    expect(late.status).toBe(409);
    expect(await detailOf(late)).toMatchObject({ reason: 'invalid_state', currentState: 'success' });
  });

  it('deletes the XComs of an earlier attempt when a new attempt starts', async () => {
    const run = await h.seedRun();
    await h.api.start(attemptOf(run, 'extract', 1));
    await h.api.finish(attemptOf(run, 'extract', 1), { state: 'success', returnValue: 'first' });
    const transform1 = attemptOf(run, 'transform', 1);
    await h.queue(transform1);
    await h.api.start(transform1);
    expect((await h.api.setXCom(transform1, transform1, 'partial', [1, 2])).status).toBe(201);
    await h.api.finish(transform1, { state: 'failed', error: 'boom' });

    const transform2 = attemptOf(run, 'transform', 2);
    await h.queue(transform2);
    expect((await h.api.start(transform2)).status).toBe(200);
    const stale = await h.api.getXCom(transform2, transform2, 'partial');
    expect(stale.status).toBe(404);
    expect(await detailOf(stale)).toMatchObject({ reason: 'xcom_not_found' });
  });

  it('answers 404 for a task instance that does not exist', async () => {
    const run = await h.seedRun();
    const ghost = attemptOf(run, 'ghost', 1);
    const response = await h.api.start(ghost);
    expect(response.status).toBe(404);
    expect(await detailOf(response)).toMatchObject({ reason: 'not_found' });
  });
});

describe('finishing an attempt', () => {
  it('is idempotent: the same finish repeated answers 204, a different one 409', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    expect((await h.api.finish(extract, { state: 'success', returnValue: 1 })).status).toBe(204);
    expect((await h.api.finish(extract, { state: 'success', returnValue: 1 })).status).toBe(204);
    const other = await h.api.finish(extract, { state: 'failed' });
    expect(other.status).toBe(409);
    expect(await detailOf(other)).toMatchObject({ reason: 'invalid_state', currentState: 'success' });
  });

  it('puts a retryable failure with tries left up for retry after the retry delay', async () => {
    const run = await h.seedRun();
    await h.api.start(attemptOf(run, 'extract', 1));
    await h.api.finish(attemptOf(run, 'extract', 1), { state: 'success' });
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await h.api.start(transform);
    const endDate = new Date(h.clock.now().getTime() + 5_000);
    const response = await h.api.finish(transform, { state: 'failed', endDate: endDate.toISOString(), error: 'flaky' });
    expect(response.status).toBe(204);
    // transform: retries 2, retryDelay 60 s, no backoff.
    expect(await h.ti(transform)).toMatchObject({
      state: 'up_for_retry',
      endDate,
      nextRetryAt: new Date(endDate.getTime() + 60_000),
    });
    expect((await h.api.finish(transform, { state: 'failed', endDate: endDate.toISOString() })).status).toBe(204);
  });

  it('fails for good when the task says not to retry (FailNoRetry)', async () => {
    const run = await h.seedRun();
    await h.api.start(attemptOf(run, 'extract', 1));
    await h.api.finish(attemptOf(run, 'extract', 1), { state: 'success' });
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await h.api.start(transform);
    expect((await h.api.finish(transform, { state: 'failed', retryable: false })).status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({ state: 'failed', nextRetryAt: null });
  });

  it('fails for good when no tries are left', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    await h.api.finish(extract, { state: 'failed' });
    expect((await h.ti(extract))?.state).toBe('failed');
  });

  it('records a skip', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    expect((await h.api.finish(extract, { state: 'skipped' })).status).toBe(204);
    expect((await h.ti(extract))?.state).toBe('skipped');
  });

  it('refuses a finish from a worker that does not hold the attempt', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract, 'worker-1');
    const response = await h.api.finish(extract, { state: 'success', workerId: 'worker-2', returnValue: 'intruder' });
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'invalid_state', currentState: 'running' });
    expect((await h.api.getXCom(extract, extract, 'return_value')).status).toBe(404);
  });

  it('calls the fast path after the write, and a failing fast path does not fail the finish', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    h.fastPath.fail = true;
    try {
      const before = h.finishedRuns.length;
      expect((await h.api.finish(extract, { state: 'success' })).status).toBe(204);
      expect(h.finishedRuns.slice(before)).toEqual([{ dagId: 'etl', runId: run.runId }]);
      expect((await h.ti(extract))?.state).toBe('success');
      expect(h.logger.errors.at(-1)).toMatchObject({ attributes: { run_id: run.runId, error: 'scheduler unavailable' } });
    } finally {
      h.fastPath.fail = false;
    }
  });
});

describe('heartbeats', () => {
  it('tell the runner to stop once the task was failed', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    // The scheduler fails it, e.g. for an execution timeout.
    await h.metastore.updateTaskInstance(extract, { state: 'failed' }, { state: 'running' });
    const response = await h.api.heartbeat(extract);
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'not_running', currentState: 'failed' });
  });

  it('tell a worker that does not hold the attempt to stop', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract, 'worker-1');
    const response = await h.api.heartbeat(extract, 'worker-2');
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'not_running', currentState: 'running' });
  });

  it('tell the runner of an older attempt to stop after the task was cleared and queued again', async () => {
    const run = await h.seedRun();
    const first = attemptOf(run, 'extract', 1);
    await h.api.start(first);
    await h.queue(attemptOf(run, 'extract', 2));
    const response = await h.request('PUT', `/execution/task-instances/${encodeTaskInstanceId(first)}/heartbeat`, {
      token: h.token(first),
      body: { workerId: 'worker-1' },
    });
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'not_running', currentState: 'queued' });
  });
});
