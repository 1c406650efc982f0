import { describe, expect, it } from 'vitest';
import { branch, chain, dag, empty, latestOnly, shortCircuit, taskGroup } from 'updraft/sdk';
import {
  BranchTargetError,
  branchDecision,
  isTruthy,
  latestOnlyDecision,
  shortCircuitDecision,
} from '../../../../src/services/task-runner/operators/branching.ts';

const pick = branch({ taskId: 'pick' }, () => null);
const check = shortCircuit({ taskId: 'check' }, () => null);

// pick → a → a2 → join, pick → b → join, pick → join, pick → grp (g.x → g.y)
const branching = dag({ dagId: 'branching' }, () => {
  const p = pick();
  const join = empty({ taskId: 'join', triggerRule: 'none_failed_min_one_success' });
  const group = taskGroup({ groupId: 'grp' }, () => void chain(empty({ taskId: 'x' }), empty({ taskId: 'y' })));
  chain(p, empty({ taskId: 'a' }), empty({ taskId: 'a2' }), join);
  chain(p, empty({ taskId: 'b' }), join);
  p.setDownstream(join);
  p.setDownstream(group);
  empty({ taskId: 'elsewhere' });
});

describe('branchDecision (Airflow’s skip_all_except)', () => {
  it('skips the direct downstream tasks not chosen', () => {
    expect(branchDecision(branching, 'pick', 'b').skip.sort()).toEqual(['a', 'grp.x']);
  });

  it('keeps a direct downstream task that a chosen branch leads to (the join of an empty branch)', () => {
    expect(branchDecision(branching, 'pick', 'a').skip.sort()).toEqual(['b', 'grp.x']);
    expect(branchDecision(branching, 'pick', 'join').skip.sort()).toEqual(['a', 'b', 'grp.x']);
  });

  it('takes a list, a group id (its roots), and null or [] (skipping every direct downstream task)', () => {
    expect(branchDecision(branching, 'pick', ['a', 'b']).skip).toEqual(['grp.x']);
    expect(branchDecision(branching, 'pick', 'grp').skip.sort()).toEqual(['a', 'b', 'join']);
    expect(branchDecision(branching, 'pick', null).skip.sort()).toEqual(['a', 'b', 'grp.x', 'join']);
    expect(branchDecision(branching, 'pick', []).skip.sort()).toEqual(['a', 'b', 'grp.x', 'join']);
  });

  it('fails clearly for an id that is not a direct downstream task, not a task at all, or not an id', () => {
    expect(() => branchDecision(branching, 'pick', 'a2')).toThrow(BranchTargetError);
    expect(() => branchDecision(branching, 'pick', 'a2')).toThrow(
      'Branch task "pick" returned "a2", but "a2" is not directly downstream of it. Return one of its direct downstream tasks:',
    );
    expect(() => branchDecision(branching, 'pick', 'elsewhere')).toThrow('is not directly downstream');
    expect(() => branchDecision(branching, 'pick', 'nope')).toThrow('returned "nope", which is neither a task nor a task group of DAG "branching"');
    expect(() => branchDecision(branching, 'pick', 42)).toThrow('must return a task id, a task group id, a list of them, or null; it returned 42');
  });
});

describe('shortCircuitDecision', () => {
  // check → a → b → c (teardown), check → t (teardown)
  const shortDag = dag({ dagId: 'short' }, () => {
    const c = check();
    const a = empty({ taskId: 'a' });
    chain(c, a, empty({ taskId: 'b' }), empty({ taskId: 'c' }).asTeardown());
    c.setDownstream(empty({ taskId: 't' }).asTeardown());
  });

  it('skips nothing for a truthy result', () => {
    expect(shortCircuitDecision(shortDag, 'check', { rows: 1 }, true).skip).toEqual([]);
  });

  it('skips every downstream task but teardowns by default, only the direct ones otherwise', () => {
    expect(shortCircuitDecision(shortDag, 'check', false, true).skip.sort()).toEqual(['a', 'b']);
    expect(shortCircuitDecision(shortDag, 'check', 0, false).skip).toEqual(['a']);
  });

  it('judges results by Python’s truthiness, as Airflow does', () => {
    for (const falsy of [false, 0, '', null, undefined, [], {}]) expect(isTruthy(falsy)).toBe(false);
    for (const truthy of [true, 1, 'x', [0], { a: 1 }]) expect(isTruthy(truthy)).toBe(true);
  });
});

describe('latestOnlyDecision (Airflow’s LatestOnlyOperator)', () => {
  const daily = dag({ dagId: 'daily', schedule: '@daily', startDate: '2024-01-01' }, () => {
    chain(latestOnly(), empty({ taskId: 'notify' }));
  });
  // The run for 2024-03-10: data interval [03-10, 03-11); the next run's interval ends 03-12.
  const scheduled = {
    runType: 'scheduled',
    logicalDate: new Date('2024-03-10T00:00:00Z'),
    dataIntervalStart: new Date('2024-03-10T00:00:00Z'),
    dataIntervalEnd: new Date('2024-03-11T00:00:00Z'),
  };

  it('proceeds for the latest scheduled run', () => {
    expect(latestOnlyDecision(daily, 'latest_only', scheduled, new Date('2024-03-11T00:05:00Z')).skip).toEqual([]);
  });

  it('skips its direct downstream tasks for an older run (catch-up, backfill)', () => {
    const decision = latestOnlyDecision(daily, 'latest_only', scheduled, new Date('2024-03-20T00:00:00Z'));
    expect(decision.skip).toEqual(['notify']);
    expect(decision.message).toContain('Not the latest run');
    expect(latestOnlyDecision(daily, 'latest_only', { ...scheduled, runType: 'backfill' }, new Date('2024-03-20T00:00:00Z')).skip).toEqual(['notify']);
  });

  it('always proceeds for a manual run, and for a timetable with no next run', () => {
    expect(latestOnlyDecision(daily, 'latest_only', { ...scheduled, runType: 'manual' }, new Date('2030-01-01T00:00:00Z')).skip).toEqual([]);
    const once = dag({ dagId: 'once', schedule: '@once', startDate: '2024-01-01' }, () => void chain(latestOnly(), empty({ taskId: 'n' })));
    expect(latestOnlyDecision(once, 'latest_only', scheduled, new Date('2030-01-01T00:00:00Z')).skip).toEqual([]);
  });
});
