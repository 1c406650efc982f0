import { beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import type { TaskInstanceClearer } from '../../../../src/services/clearing/index.ts';
import { RunScheduler, SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { RecordingExecutor, createClearer, createHarness, getTi, runQueued, saveDag, tiStates, type Harness } from './harness.ts';

let h: Harness;
let scheduler: RunScheduler;
let clearer: TaskInstanceClearer;

beforeAll(async () => {
  h = await createHarness('run-control');
  scheduler = new RunScheduler(h.deps());
  clearer = await createClearer(h, 'run-control');
});

/** A running scheduled run of the DAG for one day, as the tick would have started it. */
async function runningRun(serialized: SerializedDag, day: string): Promise<DagRunRecord> {
  const logicalDate = new Date(`${day}T00:00:00.000Z`);
  const now = h.clock.now();
  const run: DagRunRecord = {
    dagId: serialized.dagId,
    runId: `scheduled__${logicalDate.toISOString()}`,
    state: 'running',
    runType: 'scheduled',
    logicalDate,
    dataInterval: { start: logicalDate, end: new Date(logicalDate.getTime() + 86_400_000) },
    runAfter: logicalDate,
    versionId: `v-${serialized.dagId}`,
    conf: {},
    queuedAt: now,
    startDate: now,
    endDate: null,
    revision: 0,
  };
  await h.metastore.createDagRun(run);
  return run;
}

describe('dependsOnPast', () => {
  it("holds a task while its previous run's instance failed, without failing the run, and lets it go once that is cleared and succeeds", async () => {
    const serialized = dag('dop', [task('extract'), task('load', ['extract'], { dependsOnPast: true })]);
    await saveDag(h, serialized);
    const first = await runningRun(serialized, '2024-01-01');
    const second = await runningRun(serialized, '2024-01-02');

    // The first run's load fails for good.
    await scheduler.scheduleRun(first);
    await runQueued(h, first, () => 'success');
    await scheduler.scheduleRun(first);
    await runQueued(h, first, () => 'failed');
    await scheduler.scheduleRun(first);
    expect(await h.metastore.getDagRun(first)).toMatchObject({ state: 'failed' });

    // The second run's load is ready by its trigger rule, but waits on the past; the run keeps running.
    await scheduler.scheduleRun(second);
    await runQueued(h, second, () => 'success');
    await scheduler.scheduleRun(second);
    await scheduler.scheduleRun(second);
    expect(await tiStates(h, second)).toEqual({ extract: 'success', load: 'none' });
    expect(await h.metastore.getDagRun(second)).toMatchObject({ state: 'running' });

    await clearer.clear({
      runs: [(await h.metastore.getDagRun(first))!],
      dryRun: false,
      resetDagRuns: true,
      selection: { taskIds: ['load'], onlyFailed: false, onlyRunning: false, includeUpstream: false, includeDownstream: false },
    });
    // The tick restarts the first run and queues its load again; the second still waits (load is not done).
    await new SchedulerTick(h.deps()).tick();
    expect(await getTi(h, first, 'load')).toMatchObject({ state: 'queued', tryNumber: 2 });
    expect(await tiStates(h, second)).toEqual({ extract: 'success', load: 'none' });

    await runQueued(h, first, () => 'success');
    await scheduler.scheduleRun(first);
    expect(await h.metastore.getDagRun(first)).toMatchObject({ state: 'success' });
    // The next tick's pass over the second run sees the past succeeded.
    await new SchedulerTick(h.deps()).tick();
    expect(await getTi(h, second, 'load')).toMatchObject({ state: 'queued', tryNumber: 1 });
    await runQueued(h, second, () => 'success');
    await scheduler.scheduleRun(second);
    expect(await h.metastore.getDagRun(second)).toMatchObject({ state: 'success' });
  });

  it("waitForDownstream waits for the previous run's direct downstream too", async () => {
    const serialized = dag('wfd', [task('extract', [], { dependsOnPast: true, waitForDownstream: true }), task('load', ['extract'])]);
    await saveDag(h, serialized);
    const first = await runningRun(serialized, '2024-02-01');
    const second = await runningRun(serialized, '2024-02-02');
    await scheduler.scheduleRun(first);
    await runQueued(h, first, () => 'success');
    await scheduler.scheduleRun(first);
    expect(await getTi(h, first, 'load')).toMatchObject({ state: 'queued' });

    // extract succeeded in the first run, but its downstream load has not finished yet.
    await scheduler.scheduleRun(second);
    expect(await tiStates(h, second)).toEqual({ extract: 'none', load: 'none' });

    await runQueued(h, first, () => 'success');
    await scheduler.scheduleRun(second);
    expect(await getTi(h, second, 'extract')).toMatchObject({ state: 'queued' });
  });
});

describe('the cost of dependsOnPast', () => {
  it('reads no earlier run for a DAG without it, nor while its task is not ready yet', async () => {
    let lookups = 0;
    const counting = new Proxy(h.metastore, {
      get(target, property, receiver) {
        if (property === 'listDagRuns') lookups += 1;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const counted = new RunScheduler(h.deps({ metastore: counting }));

    const plain = dag('no_past', [task('extract'), task('load', ['extract'])]);
    await saveDag(h, plain);
    await runningRun(plain, '2024-04-01');
    const plainRun = await runningRun(plain, '2024-04-02');
    await counted.scheduleRun(plainRun);
    await runQueued(h, plainRun, () => 'success');
    await counted.scheduleRun(plainRun);
    expect(lookups).toBe(0);

    const past = dag('late_past', [task('extract'), task('load', ['extract'], { dependsOnPast: true })]);
    await saveDag(h, past);
    const pastRun = await runningRun(past, '2024-04-02');
    await counted.scheduleRun(pastRun);
    expect(lookups).toBe(0);
    await runQueued(h, pastRun, () => 'success');
    await counted.scheduleRun(pastRun);
    expect(lookups).toBe(1);
    // No earlier run: the first run goes.
    expect(await getTi(h, pastRun, 'load')).toMatchObject({ state: 'queued' });
  });
});

describe('priority weights', () => {
  // Own weights: lone 3, head 1; with the downstream rule head carries mid and tail (2 + 2): 5.
  const shape = (dagId: string, weightRule?: 'absolute') =>
    dag(dagId, [
      task('lone', [], { priorityWeight: 3, ...(weightRule ? { weightRule } : {}) }),
      task('head', [], weightRule ? { weightRule } : {}),
      task('mid', ['head'], { priorityWeight: 2, ...(weightRule ? { weightRule } : {}) }),
      task('tail', ['mid'], { priorityWeight: 2, ...(weightRule ? { weightRule } : {}) }),
    ]);

  async function firstQueued(serialized: SerializedDag): Promise<{ sent: string[]; run: DagRunRecord }> {
    const executor = new RecordingExecutor('lambda', 1);
    const narrow = new RunScheduler(h.deps({ executors: new ExecutorRegistry([executor]) }));
    await saveDag(h, serialized);
    const run = await runningRun(serialized, '2024-03-01');
    await narrow.scheduleRun(run);
    return { sent: executor.sent(), run };
  }

  it('with one executor slot, queues the task with the higher effective weight first, and stores that weight', async () => {
    const { sent, run } = await firstQueued(shape('weights_downstream'));
    expect(sent).toEqual(['head#1']);
    expect(await tiStates(h, run)).toMatchObject({ head: 'queued', lone: 'none' });
    expect(await getTi(h, run, 'head')).toMatchObject({ priorityWeight: 5 });
    expect(await getTi(h, run, 'lone')).toMatchObject({ priorityWeight: 3 });
  });

  it('with the absolute rule, the own weight decides', async () => {
    const { sent, run } = await firstQueued(shape('weights_absolute', 'absolute'));
    expect(sent).toEqual(['lone#1']);
    expect(await getTi(h, run, 'head')).toMatchObject({ priorityWeight: 1 });
  });
});
