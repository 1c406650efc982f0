import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { explainDagRunState } from '../../../../src/core/scheduling/run-state.ts';
import { lengthFactsNeeded, mapLengthFactOf, mapSourceKey, type MapLengthFact } from '../../../../src/core/scheduling/mapping.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const r = run('maps');

function plan(d: SerializedDag, tis: TaskInstanceRecord[], facts: Record<string, MapLengthFact> = {}) {
  const lengthFacts = new Map(Object.entries(facts).map(([taskId, fact]) => [mapSourceKey({ taskId, key: 'return_value' }), fact]));
  return planTaskInstances({ dag: d, run: r, tis, now: clock.now(), settings, lengthFacts });
}
const summary = (transitions: ReturnType<typeof plan>) =>
  transitions.map((t) => `${t.kind}:${t.ti.taskId}${t.ti.mapIndex >= 0 ? `[${t.ti.mapIndex}]` : ''}${t.expandTo !== undefined ? `→${t.expandTo}` : ''}`);
const mapped = (id: string, mapIndex: number, state: TaskInstanceRecord['state'], overrides: Partial<TaskInstanceRecord> = {}) =>
  ti(r, id, state, { mapIndex, ...overrides });

const overXCom = (from: string) => ({ target: { kind: 'arg' as const, index: 0 }, source: { kind: 'xcom' as const, taskId: from, key: 'return_value' } });
const overLiteral = (values: unknown[]) => ({ target: { kind: 'arg' as const, index: 0 }, source: { kind: 'literal' as const, values } });

describe('planning a mapped task', () => {
  it('expands over a literal list at once, before its trigger rule is met, and its instances wait for the upstream', () => {
    const d = dag('maps', [task('start'), task('double', ['start'], { expandInputs: [overLiteral([1, 2, 3])] })]);
    expect(summary(plan(d, [ti(r, 'start', 'running', { lastHeartbeatAt: clock.now() }), ti(r, 'double', 'none')]))).toEqual(['expand:double→3']);
    const expanded = [ti(r, 'start', 'running', { lastHeartbeatAt: clock.now() }), ti(r, 'double', 'removed'), mapped('double', 0, 'none'), mapped('double', 1, 'none'), mapped('double', 2, 'none')];
    expect(plan(d, expanded)).toEqual([]);
    const afterStart = [ti(r, 'start', 'success'), ...expanded.slice(1)];
    expect(summary(plan(d, afterStart))).toEqual(['queue:double[0]', 'queue:double[1]', 'queue:double[2]']);
  });

  it('takes the length of a cross product (the last input varies fastest)', () => {
    const d = dag('maps', [
      task('pairs', [], { expandInputs: [overLiteral(['a', 'b']), { target: { kind: 'arg', index: 1 }, source: { kind: 'literal', values: [1, 2, 3] } }] }),
    ]);
    expect(summary(plan(d, [ti(r, 'pairs', 'none')]))).toEqual(['expand:pairs→6']);
  });

  it('waits for the length of an upstream XCom, then expands to it', () => {
    const d = dag('maps', [task('list'), task('each', ['list'], { expandInputs: [overXCom('list')] })]);
    const tis = [ti(r, 'list', 'success'), ti(r, 'each', 'none')];
    expect(lengthFactsNeeded(d, (id) => tis.find((t) => t.taskId === id))).toEqual([{ taskId: 'list', key: 'return_value' }]);
    expect(plan(d, tis)).toEqual([]);
    const transitions = plan(d, tis, { list: { kind: 'length', length: 2 } });
    expect(summary(transitions)).toEqual(['expand:each→2']);
    expect(transitions[0]).toMatchObject({ changes: { state: 'removed' }, condition: { state: 'none' } });
  });

  it('skips the mapped task and its downstream when the list is empty', () => {
    const d = dag('maps', [task('list'), task('each', ['list'], { expandInputs: [overXCom('list')] }), task('report', ['each'])]);
    const transitions = plan(d, [ti(r, 'list', 'success'), ti(r, 'each', 'none'), ti(r, 'report', 'none')], { list: { kind: 'length', length: 0 } });
    expect(summary(transitions)).toEqual(['expand:each→0']);
    expect(transitions[0]!.changes.state).toBe('skipped');
    // Once the placeholder is written skipped, the downstream cascades.
    expect(summary(plan(d, [ti(r, 'list', 'success'), ti(r, 'each', 'skipped'), ti(r, 'report', 'none')]))).toEqual(['skip:report']);
  });

  it('fails the mapped task with a clear reason when the upstream pushed something that is not a list', () => {
    const d = dag('maps', [task('list'), task('each', ['list'], { expandInputs: [overXCom('list')] })]);
    const fact = mapLengthFactOf('a,b', { taskId: 'list', key: 'return_value' });
    const transitions = plan(d, [ti(r, 'list', 'success'), ti(r, 'each', 'none')], { list: fact });
    expect(summary(transitions)).toEqual(['fail:each']);
    expect(transitions[0]!.reason).toBe('task "list" pushed a string as XCom "return_value", and a mapped task needs a list (JSON array) to expand over');
  });

  it('marks the mapped task upstream_failed (or skipped) when the source upstream did not succeed', () => {
    const d = dag('maps', [task('list'), task('each', ['list'], { expandInputs: [overXCom('list')] })]);
    expect(summary(plan(d, [ti(r, 'list', 'failed'), ti(r, 'each', 'none')]))).toEqual(['upstream_failed:each']);
    expect(summary(plan(d, [ti(r, 'list', 'skipped'), ti(r, 'each', 'none')]))).toEqual(['skip:each']);
  });

  it('runs a downstream of a mapped task only when every instance is done, with the trigger rule over all of them', () => {
    const d = dag('maps', [task('each', [], { expandInputs: [overLiteral([1, 2])] }), task('total', ['each']), task('always', ['each'], { triggerRule: 'all_done' })]);
    const base = [ti(r, 'each', 'removed'), ti(r, 'total', 'none'), ti(r, 'always', 'none')];
    expect(plan(d, [...base, mapped('each', 0, 'success'), mapped('each', 1, 'running', { lastHeartbeatAt: clock.now() })])).toEqual([]);
    expect(summary(plan(d, [...base, mapped('each', 0, 'success'), mapped('each', 1, 'success')]))).toEqual(['queue:total', 'queue:always']);
    expect(summary(plan(d, [...base, mapped('each', 0, 'success'), mapped('each', 1, 'failed')]))).toEqual(['upstream_failed:total', 'queue:always']);
  });

  it('expands over a mapped upstream once all of its instances are done, one instance per upstream instance', () => {
    const d = dag('maps', [task('a', [], { expandInputs: [overLiteral([1, 2, 3])] }), task('b', ['a'], { expandInputs: [overXCom('a')] })]);
    const running = [ti(r, 'a', 'removed'), mapped('a', 0, 'success'), mapped('a', 1, 'running', { lastHeartbeatAt: clock.now() }), mapped('a', 2, 'success'), ti(r, 'b', 'none')];
    expect(plan(d, running)).toEqual([]);
    const done = running.map((t) => (t.taskId === 'a' && t.mapIndex === 1 ? { ...t, state: 'success' as const } : t));
    expect(summary(plan(d, done))).toEqual(['expand:b→3']);
  });

  it('runs tasks of a mapped task group index by index', () => {
    const d: SerializedDag = {
      ...dag('maps', [task('files'), task('g.parse', ['files'], { mappedGroupId: 'g' }), task('g.load', ['g.parse'], { mappedGroupId: 'g' }), task('done', ['g.load'])]),
      taskGroups: { g: { expand: { kind: 'xcom', taskId: 'files', key: 'return_value' } } },
    };
    const before = [ti(r, 'files', 'success'), ti(r, 'g.parse', 'none'), ti(r, 'g.load', 'none'), ti(r, 'done', 'none')];
    expect(summary(plan(d, before, { files: { kind: 'length', length: 2 } }))).toEqual(['expand:g.parse→2', 'expand:g.load→2']);
    const expanded = [
      ti(r, 'files', 'success'),
      ti(r, 'g.parse', 'removed'),
      mapped('g.parse', 0, 'success'),
      mapped('g.parse', 1, 'running', { lastHeartbeatAt: clock.now() }),
      ti(r, 'g.load', 'removed'),
      mapped('g.load', 0, 'none'),
      mapped('g.load', 1, 'none'),
      ti(r, 'done', 'none'),
    ];
    // g.load[0] follows g.parse[0] without waiting for g.parse[1]; "done" waits for every g.load.
    expect(summary(plan(d, expanded))).toEqual(['queue:g.load[0]']);
  });

  it('removes instances a shorter re-expansion leaves over (after a clear)', () => {
    const d = dag('maps', [task('list'), task('each', ['list'], { expandInputs: [overXCom('list')] })]);
    const cleared = [ti(r, 'list', 'success'), ti(r, 'each', 'none'), mapped('each', 0, 'none'), mapped('each', 1, 'none'), mapped('each', 2, 'none')];
    expect(summary(plan(d, cleared, { list: { kind: 'length', length: 2 } }))).toEqual(['remove:each[2]', 'expand:each→2']);
  });

  it('offers no more instances to queue than the run has room for under maxActiveTasks', () => {
    const d = { ...dag('maps', [task('each', [], { expandInputs: [overLiteral([1, 2, 3, 4, 5])] })]), maxActiveTasks: 3 };
    const tis = [ti(r, 'each', 'removed'), mapped('each', 0, 'running', { lastHeartbeatAt: clock.now() }), ...[1, 2, 3, 4].map((i) => mapped('each', i, 'none'))];
    expect(summary(plan(d, tis))).toEqual(['queue:each[1]', 'queue:each[2]']);
  });

  it('decides the run from every mapped instance and ignores the removed placeholder', () => {
    const d = dag('maps', [task('each', [], { expandInputs: [overLiteral([1, 2])] })]);
    expect(explainDagRunState(d, [ti(r, 'each', 'removed'), mapped('each', 0, 'success'), mapped('each', 1, 'success')]).state).toBe('success');
    expect(explainDagRunState(d, [ti(r, 'each', 'removed'), mapped('each', 0, 'success'), mapped('each', 1, 'failed')]).state).toBe('failed');
    expect(explainDagRunState(d, [ti(r, 'each', 'skipped')]).state).toBe('success');
    expect(explainDagRunState(d, [ti(r, 'each', 'none')]).state).toBe('running');
  });
});

describe('clearing and marking a mapped task', () => {
  it('marks every instance of a mapped task but leaves its expanded placeholder removed', async () => {
    const { selectInstancesToMark } = await import('../../../../src/core/scheduling/clearing.ts');
    const d = dag('maps', [task('each', [], { expandInputs: [overLiteral([1, 2])] })]);
    const tis = [ti(r, 'each', 'removed'), mapped('each', 0, 'failed'), mapped('each', 1, 'success')];
    const marked = selectInstancesToMark(d, tis, { taskId: 'each', mapIndex: null, newState: 'success', includeUpstream: false, includeDownstream: false });
    expect(marked.map((t) => t.mapIndex)).toEqual([0]);
  });

  it('clears only the failed instances with onlyFailed, and the placeholder too without (to expand again)', async () => {
    const { selectInstancesToClear } = await import('../../../../src/core/scheduling/clearing.ts');
    const d = dag('maps', [task('each', [], { expandInputs: [overLiteral([1, 2])] })]);
    const tis = [ti(r, 'each', 'removed'), mapped('each', 0, 'failed'), mapped('each', 1, 'success')];
    const base = { taskIds: ['each'], onlyRunning: false, includeUpstream: false, includeDownstream: false };
    expect(selectInstancesToClear(d, tis, { ...base, onlyFailed: true }).map((t) => t.mapIndex)).toEqual([0]);
    expect(selectInstancesToClear(d, tis, { ...base, onlyFailed: false }).map((t) => t.mapIndex)).toEqual([-1, 0, 1]);
  });
});
