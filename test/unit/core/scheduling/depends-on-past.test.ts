import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import {
  checkPastDependency,
  needsPreviousRun,
  pastDependencyOf,
  previousRunQuery,
  type PreviousRun,
} from '../../../../src/core/scheduling/depends-on-past.ts';
import { explainDagRunState } from '../../../../src/core/scheduling/run-state.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-02T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const current = run('etl', { runId: 'scheduled__2024-01-02', logicalDate: new Date('2024-01-02T00:00:00Z') });
const before = run('etl', { runId: 'scheduled__2024-01-01' });

/** The previous run with the given states per task id. */
function previous(states: Record<string, TaskInstanceState>): PreviousRun {
  return { run: before, tis: Object.entries(states).map(([taskId, state]) => ti(before, taskId, state)) };
}

const past = task('load', [], { dependsOnPast: true });

describe('checkPastDependency', () => {
  it('holds nothing for a task without dependsOnPast', () => {
    expect(checkPastDependency(task('load'), [], previous({ load: 'failed' }))).toEqual({ met: true });
  });

  it('lets the first run go (no previous run)', () => {
    expect(checkPastDependency(past, [], null)).toEqual({ met: true });
  });

  it.each<TaskInstanceState>(['success', 'skipped'])('lets it run when the previous instance is %s', (state) => {
    expect(checkPastDependency(past, [], previous({ load: state }))).toEqual({ met: true });
  });

  it.each<TaskInstanceState>(['failed', 'upstream_failed', 'running', 'up_for_retry', 'none', 'queued'])(
    'holds it while the previous instance is %s, naming the run and the state',
    (state) => {
      expect(checkPastDependency(past, [], previous({ load: state }))).toEqual({
        met: false,
        reason: `dependsOnPast: its instance in the previous run scheduled__2024-01-01 is ${state}, not success or skipped`,
      });
    },
  );

  it('lets it run when the task had no instance in the previous run (added since, or removed then)', () => {
    expect(checkPastDependency(past, [], previous({ other: 'failed' }))).toEqual({ met: true });
    expect(checkPastDependency(past, [], previous({ load: 'removed' }))).toEqual({ met: true });
  });

  it("waitForDownstream also waits for the previous run's direct downstream instances", () => {
    const wait = task('extract', [], { dependsOnPast: true, waitForDownstream: true });
    expect(checkPastDependency(wait, ['load'], previous({ extract: 'success', load: 'running', report: 'failed' }))).toEqual({
      met: false,
      reason: 'waitForDownstream: downstream task load in the previous run scheduled__2024-01-01 is running, not success or skipped',
    });
    expect(checkPastDependency(wait, ['load'], previous({ extract: 'success', load: 'skipped', report: 'failed' }))).toEqual({ met: true });
    // A downstream that had no instance then does not hold it.
    expect(checkPastDependency(wait, ['load'], previous({ extract: 'success' }))).toEqual({ met: true });
    // The task's own instance is checked first.
    expect(checkPastDependency(wait, ['load'], previous({ extract: 'failed', load: 'success' })).met).toBe(false);
  });

  it('waitForDownstream alone implies dependsOnPast', () => {
    const onlyWait = task('extract', [], { waitForDownstream: true });
    expect(checkPastDependency(onlyWait, [], previous({ extract: 'failed' })).met).toBe(false);
  });
});

describe('pastDependencyOf', () => {
  it('finds the direct downstream tasks in the DAG, and waits when the previous run was not looked up', () => {
    const d = dag('etl', [task('extract', [], { waitForDownstream: true }), task('load', ['extract']), task('report', ['load'])]);
    const extract = d.tasks[0]!;
    expect(pastDependencyOf(d, extract, previous({ extract: 'success', load: 'success', report: 'failed' }))).toEqual({ met: true });
    expect(pastDependencyOf(d, extract, previous({ extract: 'success', load: 'failed' })).met).toBe(false);
    expect(pastDependencyOf(d, extract, undefined)).toEqual({ met: false, reason: 'dependsOnPast: the previous run was not looked up' });
    expect(pastDependencyOf(d, d.tasks[1]!, undefined)).toEqual({ met: true });
  });
});

describe('needsPreviousRun', () => {
  it('is true only once a task with dependsOnPast is in none and ready by its trigger rule', () => {
    const load = task('load', ['extract'], { dependsOnPast: true });
    const d = dag('etl', [task('extract'), load]);
    expect(needsPreviousRun(d, [], [ti(current, 'load', 'none')])).toBe(false);
    expect(needsPreviousRun(d, [load], [ti(current, 'extract', 'running'), ti(current, 'load', 'none')])).toBe(false);
    expect(needsPreviousRun(d, [load], [ti(current, 'extract', 'success'), ti(current, 'load', 'none')])).toBe(true);
    expect(needsPreviousRun(d, [load], [ti(current, 'extract', 'success'), ti(current, 'load', 'queued')])).toBe(false);
  });
});

describe('previousRunQuery', () => {
  it('takes the latest earlier run of any type without catchup, and skips manual runs with catchup (Airflow)', () => {
    expect(previousRunQuery({ catchup: false }, current)).toEqual({ logicalDateBefore: current.logicalDate });
    expect(previousRunQuery({ catchup: true }, current)).toEqual({
      logicalDateBefore: current.logicalDate,
      runTypes: ['scheduled', 'backfill', 'asset_triggered'],
    });
  });
});

describe('planning with dependsOnPast', () => {
  const d: SerializedDag = dag('etl', [task('extract'), task('load', ['extract'], { dependsOnPast: true }), task('report', ['load'])]);
  const tis = (): TaskInstanceRecord[] => [ti(current, 'extract', 'success'), ti(current, 'load', 'none'), ti(current, 'report', 'none')];
  const plan = (previousRun: PreviousRun | null | undefined) =>
    planTaskInstances({ dag: d, run: current, tis: tis(), now: clock.now(), settings, previousRun }).map((t) => `${t.kind}:${t.ti.taskId}`);

  it('keeps a ready task in none while its previous instance failed, and queues it once that succeeded', () => {
    expect(plan(previous({ extract: 'success', load: 'failed', report: 'upstream_failed' }))).toEqual([]);
    expect(plan(previous({ extract: 'success', load: 'success', report: 'success' }))).toEqual(['queue:load']);
    expect(plan(null)).toEqual(['queue:load']);
    expect(plan(undefined)).toEqual([]);
  });

  it('still marks it upstream_failed when its own upstream failed: the trigger rule decides first', () => {
    const failedUpstream = [ti(current, 'extract', 'failed'), ti(current, 'load', 'none'), ti(current, 'report', 'none')];
    const transitions = planTaskInstances({
      dag: d,
      run: current,
      tis: failedUpstream,
      now: clock.now(),
      settings,
      previousRun: previous({ load: 'failed' }),
    });
    expect(transitions.map((t) => `${t.kind}:${t.ti.taskId}`)).toEqual(['upstream_failed:load', 'upstream_failed:report']);
  });

  it('is not a deadlock: the run keeps running while the task waits on the past (Airflow)', () => {
    expect(explainDagRunState(d, tis())).toEqual({ state: 'running', reason: null });
  });
});

describe('planning order', () => {
  it('queues by effective weight: with the downstream rule a root that unblocks more goes first', () => {
    // Own weights: lone 3, head 1, but head's downstream chain adds 2 + 2 = 5.
    const d = dag('etl', [task('lone', [], { priorityWeight: 3 }), task('head'), task('mid', ['head'], { priorityWeight: 2 }), task('tail', ['mid'], { priorityWeight: 2 })]);
    const fresh = d.tasks.map((t) => ti(current, t.taskId, 'none'));
    const order = (dd: SerializedDag) =>
      planTaskInstances({ dag: dd, run: current, tis: fresh, now: clock.now(), settings }).map((t) => t.ti.taskId);
    expect(order(d)).toEqual(['head', 'lone']);
    const absolute = dag('etl', d.tasks.map((t) => ({ ...t, weightRule: 'absolute' as const })));
    expect(order(absolute)).toEqual(['lone', 'head']);
  });
});
