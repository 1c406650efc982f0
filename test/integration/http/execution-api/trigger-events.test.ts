import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId, type TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import type { RunTriggersWorkload, TriggerQueue } from '../../../../src/core/ports/trigger-queue.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler, SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { attemptOf, createApiHarness, detailOf, startedOf, type ApiHarness } from './api-harness.ts';

/**
 * Deferral end to end through the Execution API and the real scheduler: an attempt defers, the
 * triggerer's report resumes the same try and the fast path queues it at once; repeats are idempotent; a
 * failing trigger fails the attempt by the retry rules; a trigger timeout fails it at the tick.
 */

const executor = new RecordingExecutor();
const sentTriggers: RunTriggersWorkload[] = [];
const triggerQueue: TriggerQueue = { send: async (workloads) => void sentTriggers.push(...workloads) };
let h: ApiHarness;
let tick: SchedulerTick;

beforeAll(async () => {
  let scheduler: RunScheduler | undefined;
  h = await createApiHarness('exec-trigger-events', {
    onTaskFinished: async (run, { metastore, clock, tokens }) => {
      scheduler ??= new RunScheduler(schedulerDeps(metastore, clock, tokens));
      await scheduler.scheduleRun(run);
    },
  });
  tick = new SchedulerTick(schedulerDeps(h.metastore, h.clock, h.tokens));
});

afterAll(() => h?.close());

function schedulerDeps(metastore: ApiHarness['metastore'], clock: ApiHarness['clock'], tokens: ApiHarness['tokens']) {
  return {
    metastore,
    executors: new ExecutorRegistry([executor]),
    clock,
    tokens,
    logger: silentLogger,
    dagVersions: new DagVersionCache(metastore),
    triggerQueue,
    settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'trigger-events-test' },
  };
}

const s3Trigger = { kind: 's3_key', kwargs: { bucket: 'landing', key: 'orders.csv', wildcardMatch: false } };

/** transform (3 tries, 60 s retry delay) runs and defers on an S3 key trigger. */
async function deferredTransform(options: { tryNumber?: number; triggerTimeout?: string | null } = {}) {
  const run = await h.seedRun();
  const transform = attemptOf(run, 'transform', options.tryNumber ?? 1);
  await h.queue(transform);
  expect((await h.api.start(transform)).status).toBe(200);
  const deferral = { trigger: s3Trigger, nextMethod: 'execute_complete', nextKwargs: { page: 2 }, triggerTimeout: options.triggerTimeout ?? null };
  expect((await h.api.finish(transform, { state: 'deferred', deferral })).status).toBe(204);
  return { run, transform };
}

const fire = (attempt: TaskAttemptKey, body: Record<string, unknown>) =>
  h.request('POST', `/execution/task-instances/${encodeTaskInstanceId(attempt)}/trigger-event`, { token: h.token(attempt), body });
const failTrigger = (attempt: TaskAttemptKey, body: Record<string, unknown>) =>
  h.request('POST', `/execution/task-instances/${encodeTaskInstanceId(attempt)}/trigger-failure`, { token: h.token(attempt), body });

describe('a fired trigger', () => {
  it('resumes the same try: deferred → scheduled → queued at once, and the runner gets the event', async () => {
    const { transform } = await deferredTransform();
    const response = await fire(transform, { event: { keys: ['orders.csv'] }, trigger: s3Trigger });
    expect(response.status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({ state: 'queued', tryNumber: 1, trigger: null, nextMethod: 'execute_complete' });
    const workload = executor.workloads.find((w) => w.ti.runId === transform.runId && w.ti.taskId === 'transform');
    expect(workload?.ti).toEqual(transform);

    const started = await h.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(transform)}/run`, {
      token: workload!.token,
      body: { workerId: 'worker-2', pid: 1, startDate: h.clock.now().toISOString() },
    });
    expect((await startedOf(started)).taskInstance).toMatchObject({
      tryNumber: 1,
      nextMethod: 'execute_complete',
      nextKwargs: { page: 2, event: { keys: ['orders.csv'] } },
    });
  });

  it('is idempotent: a repeated report answers 204 and queues nothing more', async () => {
    const { transform } = await deferredTransform();
    expect((await fire(transform, { event: 1, trigger: s3Trigger })).status).toBe(204);
    const queuedBefore = executor.workloads.length;
    expect((await fire(transform, { event: 1, trigger: s3Trigger })).status).toBe(204);
    expect(executor.workloads.length).toBe(queuedBefore);
    expect(await h.ti(transform)).toMatchObject({ state: 'queued', tryNumber: 1 });
  });

  it('refuses (409) a report about another trigger than the one the attempt waits for', async () => {
    const { transform } = await deferredTransform();
    const response = await fire(transform, { event: 1, trigger: { kind: 's3_key', kwargs: { bucket: 'other', key: 'x' } } });
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'invalid_state', currentState: 'deferred' });
    expect(await h.ti(transform)).toMatchObject({ state: 'deferred' });
  });

  it('refuses (409) an attempt that is not deferred, and (403) a token of an older try', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    const notDeferred = await fire(extract, { event: null });
    expect(notDeferred.status).toBe(409);
    expect(await detailOf(notDeferred)).toMatchObject({ reason: 'invalid_state', currentState: 'queued' });
    const { transform } = await deferredTransform({ tryNumber: 2 });
    expect((await fire({ ...transform, tryNumber: 1 }, { event: null })).status).toBe(403);
  });
});

describe('a failed trigger', () => {
  it('fails the attempt by the retry rules: up_for_retry with tries left, then failed after the last', async () => {
    const { transform } = await deferredTransform();
    const response = await failTrigger(transform, { error: 'AccessDenied: s3://landing', trigger: s3Trigger });
    expect(response.status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({
      state: 'up_for_retry',
      tryNumber: 1,
      nextRetryAt: new Date(h.clock.now().getTime() + 60_000),
      trigger: null,
      nextMethod: null,
    });
    expect((await failTrigger(transform, { error: 'again' })).status).toBe(204);

    const { transform: last } = await deferredTransform({ tryNumber: 3 });
    expect((await failTrigger(last, { error: 'boom' })).status).toBe(204);
    expect(await h.ti(last)).toMatchObject({ state: 'failed', endDate: h.clock.now() });
  });
});

describe('the tick', () => {
  it('sends deferred I/O triggers to the triggerer with a token the trigger-event endpoint accepts', async () => {
    const { transform } = await deferredTransform();
    sentTriggers.length = 0;
    const report = await tick.tick();
    const item = sentTriggers.flatMap((w) => w.triggers).find((t) => t.ti.runId === transform.runId);
    expect(item).toMatchObject({ ti: transform, trigger: s3Trigger, versionId: 'v1', bundleKey: 'bundles/etl.mjs' });
    expect(report.triggersSent).toBeGreaterThanOrEqual(1);
    const response = await h.request('POST', `/execution/task-instances/${encodeTaskInstanceId(transform)}/trigger-event`, {
      token: item!.token,
      body: { event: 'ok', trigger: item!.trigger },
    });
    expect(response.status).toBe(204);
  });

  it('fails a deferred attempt whose trigger timeout passed (up_for_retry while tries are left)', async () => {
    const timeout = new Date(h.clock.now().getTime() + 120_000).toISOString();
    const { transform } = await deferredTransform({ triggerTimeout: timeout });
    await tick.tick();
    expect((await h.ti(transform))?.state).toBe('deferred');
    h.clock.advanceSeconds(121);
    await tick.tick();
    expect(await h.ti(transform)).toMatchObject({ state: 'up_for_retry', trigger: null, nextMethod: null });
  });

  it('fires a due time trigger itself and queues the same try with the moment as the event', async () => {
    const run = await h.seedRun();
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await h.api.start(transform);
    const moment = new Date(h.clock.now().getTime() + 30_000).toISOString();
    const deferral = { trigger: { kind: 'datetime', kwargs: { moment } }, nextMethod: 'execute_complete', nextKwargs: null, triggerTimeout: null };
    expect((await h.api.finish(transform, { state: 'deferred', deferral })).status).toBe(204);
    sentTriggers.length = 0;
    await tick.tick();
    expect((await h.ti(transform))?.state).toBe('deferred');
    expect(sentTriggers.flatMap((w) => w.triggers).some((t) => t.ti.runId === run.runId)).toBe(false);
    h.clock.advanceSeconds(31);
    await tick.tick();
    expect(await h.ti(transform)).toMatchObject({ state: 'queued', tryNumber: 1, nextKwargs: { event: moment } });
  });
});
