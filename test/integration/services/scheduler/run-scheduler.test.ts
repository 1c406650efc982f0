import { beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { RunScheduler } from '../../../../src/services/scheduler/index.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, finishAttempt, getTi, saveRunningRun, startAttempt, tiStates, type Harness } from './harness.ts';

let h: Harness;
let scheduler: RunScheduler;

beforeAll(async () => {
  h = await createHarness('sched-run');
  scheduler = new RunScheduler(h.deps());
});

const runningRun = (dagId: string, tasks: SerializedTask[]): Promise<DagRunRecord> => saveRunningRun(h, dag(dagId, tasks));

const key = (run: DagRunRecord, taskId: string) => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1 });
const sentFor = (dagId: string) => h.executor.workloads.filter((w) => w.ti.dagId === dagId).map((w) => `${w.ti.taskId}#${w.ti.tryNumber}`);

async function complete(run: DagRunRecord, taskId: string, outcome: 'success' | 'failed' = 'success') {
  await startAttempt(h, key(run, taskId));
  await finishAttempt(h, key(run, taskId), outcome, { retryDelaySeconds: 60, logicalDate: run.logicalDate });
  await scheduler.scheduleRun(run);
}

describe('RunScheduler.scheduleRun', () => {
  it('drives a linear DAG to success, one task at a time, with a workload a worker can use', async () => {
    const run = await runningRun('linear', [task('extract'), task('transform', ['extract']), task('load', ['transform'])]);
    await scheduler.scheduleRun(run);
    expect(await tiStates(h, run)).toEqual({ extract: 'queued', load: 'none', transform: 'none' });
    expect(sentFor('linear')).toEqual(['extract#1']);

    const workload = h.executor.workloads.find((w) => w.ti.dagId === 'linear');
    expect(workload).toMatchObject({
      kind: 'ExecuteTask',
      versionId: 'v-linear',
      bundleKey: 'bundles/v-linear.mjs',
      logKey: `logs/dag_id=linear/run_id=${run.runId}/task_id=extract/attempt=1.log`,
      queuedAt: h.clock.now().toISOString(),
    });
    const claims = new TaskTokens('a-test-signing-key-of-at-least-32-bytes', h.clock).verify(workload!.token);
    expect(claims).toMatchObject({ dagId: 'linear', taskId: 'extract', tryNumber: 1 });
    expect(await getTi(h, run, 'extract')).toMatchObject({ tryNumber: 1, maxTries: 1, executor: 'lambda', externalExecutorId: 'msg-1' });

    // A duplicate delivery of the fast path changes nothing.
    await scheduler.scheduleRun(run);
    expect(sentFor('linear')).toEqual(['extract#1']);

    await complete(run, 'extract');
    expect(sentFor('linear')).toEqual(['extract#1', 'transform#1']);
    await complete(run, 'transform');
    await complete(run, 'load');
    expect(sentFor('linear')).toEqual(['extract#1', 'transform#1', 'load#1']);
    const finished = await h.metastore.getDagRun(run);
    expect(finished).toMatchObject({ state: 'success', endDate: h.clock.now() });
  });

  it('puts a failed task up for retry and queues try 2 once the retry delay has passed', async () => {
    const run = await runningRun('retrying', [task('flaky', [], { retries: 1, retryDelaySeconds: 60 })]);
    await scheduler.scheduleRun(run);
    await complete(run, 'flaky', 'failed');
    expect(await getTi(h, run, 'flaky')).toMatchObject({ state: 'up_for_retry', tryNumber: 1, maxTries: 2 });

    h.clock.advanceSeconds(59);
    await scheduler.scheduleRun(run);
    expect(sentFor('retrying')).toEqual(['flaky#1']);

    h.clock.advanceSeconds(1);
    await scheduler.scheduleRun(run);
    expect(sentFor('retrying')).toEqual(['flaky#1', 'flaky#2']);
    expect(await getTi(h, run, 'flaky')).toMatchObject({ state: 'queued', tryNumber: 2 });

    await complete(run, 'flaky', 'success');
    expect((await h.metastore.getDagRun(run))?.state).toBe('success');
  });

  it('retries a task whose worker stopped heartbeating', async () => {
    const run = await runningRun('zombie', [task('work', [], { retries: 1, retryDelaySeconds: 30 })]);
    await scheduler.scheduleRun(run);
    await startAttempt(h, key(run, 'work'));

    h.clock.advanceSeconds(301);
    await scheduler.scheduleRun(run);
    const ti = await getTi(h, run, 'work');
    expect(ti).toMatchObject({ state: 'up_for_retry', tryNumber: 1 });
    expect(ti.nextRetryAt).toEqual(new Date(h.clock.now().getTime() + 30_000));

    h.clock.advanceSeconds(30);
    await scheduler.scheduleRun(run);
    expect(sentFor('zombie')).toEqual(['work#1', 'work#2']);
  });

  it('sends a task stuck in queued again with the same try', async () => {
    const run = await runningRun('stuck', [task('work')]);
    await scheduler.scheduleRun(run);
    h.clock.advanceSeconds(600);
    await scheduler.scheduleRun(run);
    expect(sentFor('stuck')).toEqual(['work#1']);

    h.clock.advanceSeconds(1);
    await scheduler.scheduleRun(run);
    expect(sentFor('stuck')).toEqual(['work#1', 'work#1']);
    expect(await getTi(h, run, 'work')).toMatchObject({ state: 'queued', tryNumber: 1, queuedAt: h.clock.now() });
  });

  it('propagates upstream_failed down the graph and fails the run', async () => {
    const run = await runningRun('broken', [task('a'), task('b', ['a']), task('c', ['b'])]);
    await scheduler.scheduleRun(run);
    await complete(run, 'a', 'failed');
    expect(await tiStates(h, run)).toEqual({ a: 'failed', b: 'upstream_failed', c: 'upstream_failed' });
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'failed', endDate: h.clock.now() });
    expect(sentFor('broken')).toEqual(['a#1']);
  });

  it('succeeds empty tasks without sending them to the executor', async () => {
    const run = await runningRun('empties', [
      task('start', [], { operator: 'empty' }),
      task('work', ['start']),
      task('end', ['work'], { operator: 'empty' }),
    ]);
    await scheduler.scheduleRun(run);
    expect(await tiStates(h, run)).toEqual({ end: 'none', start: 'success', work: 'queued' });
    await complete(run, 'work');
    expect(await tiStates(h, run)).toEqual({ end: 'success', start: 'success', work: 'success' });
    expect(sentFor('empties')).toEqual(['work#1']);
    expect((await h.metastore.getDagRun(run))?.state).toBe('success');
  });

  it('runs the one_failed branch and the all_done cleanup when a task fails', async () => {
    const run = await runningRun('branches', [
      task('extract'),
      task('publish', ['extract']),
      task('alert', ['extract'], { triggerRule: 'one_failed' }),
      task('cleanup', ['alert', 'publish'], { triggerRule: 'all_done' }),
    ]);
    await scheduler.scheduleRun(run);
    await complete(run, 'extract', 'failed');
    expect(await tiStates(h, run)).toEqual({ alert: 'queued', cleanup: 'none', extract: 'failed', publish: 'upstream_failed' });
    await complete(run, 'alert');
    expect(await tiStates(h, run)).toEqual({ alert: 'success', cleanup: 'queued', extract: 'failed', publish: 'upstream_failed' });
    await complete(run, 'cleanup');
    // The only leaf (cleanup) succeeded, so the run succeeds, as in Airflow.
    expect((await h.metastore.getDagRun(run))?.state).toBe('success');
  });

  it('skips the one_failed branch when nothing failed', async () => {
    const run = await runningRun('no-alert', [task('extract'), task('alert', ['extract'], { triggerRule: 'one_failed' })]);
    await scheduler.scheduleRun(run);
    await complete(run, 'extract');
    expect(await tiStates(h, run)).toEqual({ alert: 'skipped', extract: 'success' });
    expect((await h.metastore.getDagRun(run))?.state).toBe('success');
  });

  it('hands a task back to the next tick, with the same try, when the executor refuses it', async () => {
    const run = await runningRun('refused', [task('work')]);
    h.executor.failing = true;
    try {
      await scheduler.scheduleRun(run);
    } finally {
      h.executor.failing = false;
    }
    expect(await getTi(h, run, 'work')).toMatchObject({ state: 'scheduled', tryNumber: 0 });
    await scheduler.scheduleRun(run);
    expect(sentFor('refused')).toEqual(['work#1']);
    expect(await getTi(h, run, 'work')).toMatchObject({ state: 'queued', tryNumber: 1 });
  });

  it('never queues a task twice when two schedulers handle the same run at once', async () => {
    const run = await runningRun('racing', [task('a'), task('b'), task('c', ['a', 'b'])]);
    const other = new RunScheduler(h.deps({ settings: { ...h.deps().settings, schedulerId: 'scheduler-b' } }));
    await Promise.all([scheduler.scheduleRun(run), other.scheduleRun(run), scheduler.scheduleRun(run)]);
    expect(sentFor('racing').sort()).toEqual(['a#1', 'b#1']);
  });

  it('leaves runs that are not running alone', async () => {
    const run = await runningRun('done-already', [task('a')]);
    await h.metastore.updateDagRun(run, { state: 'failed', endDate: h.clock.now() }, { state: 'running' });
    await scheduler.scheduleRun(run);
    expect(await h.metastore.listTaskInstances(run)).toEqual([]);
  });
});

describe('RunScheduler.scheduleRunSoon (the fast path)', () => {
  it('folds concurrent calls for one run into a running pass and one follow-up pass', async () => {
    const leaves = Array.from({ length: 20 }, (_, index) => task(`leaf_${index}`));
    // Room for every leaf at once (maxActiveTasks holds even without slot leases).
    const run = await saveRunningRun(h, { ...dag('coalesced', [...leaves, task('join', leaves.map((leaf) => leaf.taskId))]), maxActiveTasks: 32 });
    const counting = new RunScheduler(h.deps());
    let passes = 0;
    const original = counting.scheduleRun.bind(counting);
    counting.scheduleRun = async (target) => {
      passes += 1;
      return original(target);
    };

    await Promise.all(Array.from({ length: 25 }, () => counting.scheduleRunSoon(run)));

    expect(passes).toBe(2);
    expect(sentFor('coalesced').sort()).toEqual(leaves.map((leaf) => `${leaf.taskId}#1`).sort());
  });

  it('runs a pass that starts after every write made before the call', async () => {
    const run = await runningRun('coalesced_follow_up', [task('first'), task('second', ['first'])]);
    await scheduler.scheduleRunSoon(run);
    await startAttempt(h, key(run, 'first'));
    await finishAttempt(h, key(run, 'first'), 'success', { retryDelaySeconds: 60, logicalDate: run.logicalDate });

    // A pass already in flight read the run before `first` finished; the call after the write must
    // still see it, through the follow-up pass.
    const inFlight = scheduler.scheduleRunSoon(run);
    const afterWrite = scheduler.scheduleRunSoon(run);
    await Promise.all([inFlight, afterWrite]);

    expect(sentFor('coalesced_follow_up')).toEqual(['first#1', 'second#1']);
  });
});

describe('RunScheduler.afterTaskFinished (the gated fast path)', () => {
  function countingScheduler() {
    const counting = new RunScheduler(h.deps());
    const calls = { passes: 0 };
    const original = counting.scheduleRun.bind(counting);
    counting.scheduleRun = async (target) => {
      calls.passes += 1;
      return original(target);
    };
    return { counting, calls };
  }

  it('skips passes until the last upstream of a join succeeded, then queues the join', async () => {
    const leaves = ['a', 'b', 'c'].map((id) => task(id));
    const run = await runningRun('gated_join', [...leaves, task('join', ['a', 'b', 'c'])]);
    await scheduler.scheduleRun(run);
    const { counting, calls } = countingScheduler();

    for (const leaf of ['a', 'b']) {
      await startAttempt(h, key(run, leaf));
      await finishAttempt(h, key(run, leaf), 'success', { retryDelaySeconds: 60, logicalDate: run.logicalDate });
      await counting.afterTaskFinished(run, { taskId: leaf, mapIndex: -1, state: 'success' });
    }
    expect(calls.passes).toBe(0);
    expect(sentFor('gated_join')).not.toContain('join#1');

    await startAttempt(h, key(run, 'c'));
    await finishAttempt(h, key(run, 'c'), 'success', { retryDelaySeconds: 60, logicalDate: run.logicalDate });
    await counting.afterTaskFinished(run, { taskId: 'c', mapIndex: -1, state: 'success' });
    expect(calls.passes).toBe(1);
    expect(sentFor('gated_join')).toContain('join#1');
  });

  it('runs a pass at once after a failure, so the join is marked upstream_failed without waiting', async () => {
    const run = await runningRun('gated_failure', [task('a'), task('b'), task('join', ['a', 'b'])]);
    await scheduler.scheduleRun(run);
    const { counting, calls } = countingScheduler();
    await startAttempt(h, key(run, 'a'));
    await finishAttempt(h, key(run, 'a'), 'failed', { retryDelaySeconds: 60, logicalDate: run.logicalDate });
    await counting.afterTaskFinished(run, { taskId: 'a', mapIndex: -1, state: 'failed' });
    expect(calls.passes).toBe(1);
    expect((await getTi(h, run, 'join')).state).toBe('upstream_failed');
  });
});
