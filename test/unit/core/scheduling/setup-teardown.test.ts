import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { selectInstancesToClear } from '../../../../src/core/scheduling/clearing.ts';
import { runStateLeafTaskIds } from '../../../../src/core/scheduling/dag-graph.ts';
import { fastPathGateAfterSuccess } from '../../../../src/core/scheduling/fast-path-gate.ts';
import { explainDagRunState } from '../../../../src/core/scheduling/run-state.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const r = run('cluster');
const setupTask = (id: string, up: string[] = []) => task(id, up, { isSetup: true });
const teardownTask = (id: string, up: string[], onFailureFailDagrun = false) =>
  task(id, up, { isTeardown: true, triggerRule: 'all_done_setup_success', ...(onFailureFailDagrun ? { onFailureFailDagrun } : {}) });

// create (setup) → work → delete (teardown of create)
const cluster = dag('cluster', [setupTask('create'), task('work', ['create']), teardownTask('delete', ['create', 'work'])]);
const strict = dag('cluster', [setupTask('create'), task('work', ['create']), teardownTask('delete', ['create', 'work'], true)]);

function states(map: Record<string, TaskInstanceState>): TaskInstanceRecord[] {
  return Object.entries(map).map(([taskId, state]) => ti(r, taskId, state));
}
function plan(tis: TaskInstanceRecord[]) {
  return planTaskInstances({ dag: cluster, run: r, tis, now: clock.now(), settings }).map((t) => `${t.kind}:${t.ti.taskId}`);
}

describe('a teardown’s trigger rule (all_done_setup_success) in planning', () => {
  it('runs the teardown once the work is done, even when the work failed, if its setup succeeded', () => {
    expect(plan(states({ create: 'success', work: 'failed', delete: 'none' }))).toEqual(['queue:delete']);
    expect(plan(states({ create: 'success', work: 'success', delete: 'none' }))).toEqual(['queue:delete']);
  });

  it('waits while the work runs', () => {
    const running = ti(r, 'work', 'running', { startDate: clock.now(), lastHeartbeatAt: clock.now() });
    expect(plan([...states({ create: 'success', delete: 'none' }), running])).toEqual([]);
  });

  it('skips the teardown when its setups were all skipped, and marks it upstream_failed when none succeeded', () => {
    expect(plan(states({ create: 'skipped', work: 'none', delete: 'none' }))).toEqual(['skip:work', 'skip:delete']);
    expect(plan(states({ create: 'failed', work: 'none', delete: 'none' }))).toEqual(['upstream_failed:work', 'upstream_failed:delete']);
  });
});

describe('the run state with teardowns (Airflow’s effective leaves)', () => {
  it('decides by the work, not the teardown: failed work fails the run although the teardown succeeded', () => {
    expect(explainDagRunState(cluster, states({ create: 'success', work: 'failed', delete: 'success' }))).toEqual({
      state: 'failed',
      reason: 'task_failure',
    });
  });

  it('does not fail the run for a failed teardown unless onFailureFailDagrun', () => {
    const tis = states({ create: 'success', work: 'success', delete: 'failed' });
    expect(explainDagRunState(cluster, tis).state).toBe('success');
    expect(explainDagRunState(strict, tis)).toEqual({ state: 'failed', reason: 'task_failure' });
  });

  it('waits for the teardown before deciding', () => {
    expect(explainDagRunState(cluster, states({ create: 'success', work: 'failed', delete: 'queued' })).state).toBe('running');
  });

  it('takes the work before ignorable teardowns as leaves, and the plain leaves for a DAG of teardowns only', () => {
    expect([...runStateLeafTaskIds(cluster)]).toEqual(['work']);
    expect([...runStateLeafTaskIds(strict)]).toEqual(['delete']);
    const onlyTeardowns = dag('t', [teardownTask('a', []), teardownTask('b', ['a'])]);
    expect([...runStateLeafTaskIds(onlyTeardowns)]).toEqual(['b']);
  });
});

describe('clearing brings setups and teardowns along (Airflow’s partial_subset)', () => {
  // create → work → more → delete, create → delete; plus an unrelated task.
  const d = dag('cluster', [
    setupTask('create'),
    task('work', ['create']),
    task('more', ['work']),
    teardownTask('delete', ['create', 'more']),
    task('other'),
  ]);
  const tis = states({ create: 'success', work: 'failed', more: 'upstream_failed', delete: 'success', other: 'success' });
  const clear = (taskIds: string[], includeUpstream = false, includeDownstream = false) =>
    selectInstancesToClear(d, tis, { taskIds, onlyFailed: false, onlyRunning: false, includeUpstream, includeDownstream }).map((t) => t.taskId);

  it('clearing work clears its setup and the setup’s teardown', () => {
    expect(clear(['work'])).toEqual(['create', 'work', 'delete']);
  });

  it('clearing a setup clears its teardowns', () => {
    expect(clear(['create'])).toEqual(['create', 'delete']);
  });

  it('clearing work with downstream adds the downstream and the setups they rely on', () => {
    expect(clear(['work'], false, true)).toEqual(['create', 'work', 'more', 'delete']);
  });

  it('clearing a teardown alone clears only the teardown; with upstream it brings everything before it', () => {
    expect(clear(['delete'])).toEqual(['delete']);
    expect(clear(['delete'], true)).toEqual(['create', 'work', 'more', 'delete']);
  });

  it('leaves DAGs without setups as they were', () => {
    expect(clear(['other'])).toEqual(['other']);
  });
});

describe('the fast path after a branching task', () => {
  // pick (branch) → a → join ← x; and y, z → other (no branch above it).
  const d = dag('b', [
    task('pick', [], { operator: 'branch' }),
    task('a', ['pick']),
    task('x'),
    task('join', ['a', 'x']),
    task('y'),
    task('z'),
    task('other', ['y', 'z']),
  ]);

  it('passes at once after a branch, short circuit or latest only succeeded, whatever the joins count', () => {
    expect(fastPathGateAfterSuccess(d, 'pick')).toEqual({ passNow: true, counted: [] });
  });

  it('passes at once for a join below a branch (its skipped upstreams never count as successes)', () => {
    expect(fastPathGateAfterSuccess(d, 'x')).toEqual({ passNow: true, counted: [] });
    expect(fastPathGateAfterSuccess(d, 'y')).toEqual({ passNow: false, counted: [{ taskId: 'other', needed: 2 }] });
  });
});
