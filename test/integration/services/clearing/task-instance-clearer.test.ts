import { beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { TaskInstanceClearer } from '../../../../src/services/clearing/index.ts';
import { RunScheduler, SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createClearer, createHarness, getTi, runQueued, saveRunningRun, tiStates, type Harness } from '../scheduler/harness.ts';

let h: Harness;
let scheduler: RunScheduler;
let clearer: TaskInstanceClearer;

beforeAll(async () => {
  h = await createHarness('clearing');
  scheduler = new RunScheduler(h.deps());
  clearer = await createClearer(h, 'clearing');
});

const startRun = (dagId: string, tasks: ReturnType<typeof task>[]): Promise<DagRunRecord> => saveRunningRun(h, dag(dagId, tasks));

describe('TaskInstanceClearer with the scheduler', () => {
  it('a failed run, cleared, is started again by the tick and scheduled to success', async () => {
    const run = await startRun('flaky', [task('extract'), task('load', ['extract'])]);
    await scheduler.scheduleRun(run);
    await runQueued(h, run, () => 'failed');
    await scheduler.scheduleRun(run);
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'failed' });
    expect(await tiStates(h, run)).toEqual({ extract: 'failed', load: 'upstream_failed' });

    const cleared = await clearer.clear({
      runs: [(await h.metastore.getDagRun(run))!],
      dryRun: false,
      resetDagRuns: true,
      selection: { taskIds: null, onlyFailed: true, onlyRunning: false, includeUpstream: false, includeDownstream: false },
    });
    expect(cleared.map((ti) => ti.taskId)).toEqual(['extract', 'load']);
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'queued' });

    // The tick starts the queued run; passes queue the next try of extract, then load.
    await new SchedulerTick(h.deps()).tick();
    expect(await getTi(h, run, 'extract')).toMatchObject({ state: 'queued', tryNumber: 2 });
    await runQueued(h, run, () => 'success');
    await scheduler.scheduleRun(run);
    await runQueued(h, run, () => 'success');
    await scheduler.scheduleRun(run);
    expect(await tiStates(h, run)).toEqual({ extract: 'success', load: 'success' });
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'success' });
    expect(h.executor.sent().filter((s) => s.startsWith('extract') || s.startsWith('load'))).toContain('extract#2');
  });

  it("drops a cleared upstream from its downstream join's succeeded set", async () => {
    const run = await startRun('join', [task('a'), task('b'), task('c', ['a', 'b'])]);
    await scheduler.scheduleRun(run);
    const join = { ...run, taskId: 'c', mapIndex: -1 };
    expect(await h.metastore.recordSucceededUpstream(join, 'a')).toBe(1);
    expect(await h.metastore.recordSucceededUpstream(join, 'b')).toBe(2);

    await clearer.clear({
      runs: [run],
      dryRun: false,
      resetDagRuns: true,
      selection: { taskIds: ['a'], onlyFailed: false, onlyRunning: false, includeUpstream: false, includeDownstream: false },
    });
    // Only b's success still counts: a's must be seen again.
    expect(await h.metastore.recordSucceededUpstream(join, 'b')).toBe(1);
  });
});
