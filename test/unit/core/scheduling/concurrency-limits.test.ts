import { describe, expect, it } from 'vitest';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { dagRunMapKey } from '../../../../src/core/model/keys.ts';
import {
  attemptHoldsLease,
  limitsReleasedIn,
  runOfLimitId,
  slotLimitsFor,
  staleLeases,
  type SlotLeaseView,
  type SlotLimit,
} from '../../../../src/core/scheduling/concurrency-limits.ts';
import { dag, run, task, ti } from './builders.ts';

const r = run('etl');
const key = { dagId: 'etl', runId: r.runId, taskId: 'load', mapIndex: -1 };
const limitsOf = (plan: ReturnType<typeof slotLimitsFor>): SlotLimit[] => {
  if (!plan.ok) throw new Error(`missing pool ${plan.missingPool}`);
  return plan.limits;
};

describe('slotLimitsFor', () => {
  const wide = (maxActiveTasks: number, extra: ReturnType<typeof task>[] = []) =>
    dag('etl', [task('load'), ...['a', 'b', 'c', 'd'].map((id) => task(id)), ...extra], { maxActiveTasks });

  it('puts a task in default_pool with 128 slots when no default_pool is stored, and under the run’s maxActiveTasks', () => {
    const limits = limitsOf(slotLimitsFor(key, task('load'), wide(4), null));
    expect(limits.map(({ id, kind, capacity, slots, heldWhileDeferred }) => ({ id, kind, capacity, slots, heldWhileDeferred }))).toEqual([
      { id: 'pool#default_pool', kind: 'pool', capacity: 128, slots: 1, heldWhileDeferred: false },
      { id: `run#etl#${r.runId}`, kind: 'run', capacity: 4, slots: 1, heldWhileDeferred: false },
    ]);
  });

  it('leaves out maxActiveTasks for a run with no more worker tasks than it allows, unless the instance is mapped', () => {
    const kinds = (d: ReturnType<typeof dag>, mapIndex = -1) => limitsOf(slotLimitsFor({ ...key, mapIndex }, task('load'), d, null)).map((l) => l.kind);
    expect(kinds(wide(5))).toEqual(['pool']);
    expect(kinds(wide(4, [task('join', [], { operator: 'empty' })]))).toEqual(['pool', 'run']);
    expect(kinds(wide(5, [task('join', [], { operator: 'empty' })]))).toEqual(['pool']);
    expect(kinds(wide(5), 0)).toEqual(['pool', 'run']);
  });

  it('takes poolSlots of a stored pool, counts deferred when the pool says so, and adds maxActiveTisPerDag', () => {
    const load = task('load', [], { pool: 'warehouse', poolSlots: 3, maxActiveTisPerDag: 2 });
    const limits = limitsOf(
      slotLimitsFor(key, load, dag('etl', [load, task('other')], { maxActiveTasks: 1 }), { name: 'warehouse', slots: 5, description: null, includeDeferred: true }),
    );
    expect(limits.map((l) => [l.id, l.capacity, l.slots, l.heldWhileDeferred])).toEqual([
      ['pool#warehouse', 5, 3, true],
      [`run#etl#${r.runId}`, 1, 1, false],
      ['task#etl#load', 2, 1, false],
    ]);
    expect(limits[0]!.description).toBe('pool "warehouse" (5 slots)');
  });

  it('leaves out a pool with unlimited (-1) slots', () => {
    const load = task('load', [], { pool: 'open' });
    const limits = limitsOf(slotLimitsFor(key, load, dag('etl', [load]), { name: 'open', slots: -1, description: null, includeDeferred: false }));
    expect(limits.map((l) => l.kind)).toEqual([]);
  });

  it('names a pool that does not exist, as Airflow keeps such a task scheduled', () => {
    const load = task('load', [], { pool: 'nowhere' });
    expect(slotLimitsFor(key, load, dag('etl', [load]), null)).toEqual({ ok: false, missingPool: 'nowhere' });
  });
});

describe('limitsReleasedIn', () => {
  const limits = limitsOf(
    slotLimitsFor(key, task('load', [], { pool: 'p', maxActiveTisPerDag: 1 }), dag('etl', [task('load'), task('other')], { maxActiveTasks: 1 }), {
      name: 'p',
      slots: 2,
      description: null,
      includeDeferred: true,
    }),
  );

  it('keeps everything while queued or running, and frees everything once the attempt ended or waits to be rescheduled', () => {
    expect(limitsReleasedIn('queued', limits)).toEqual([]);
    expect(limitsReleasedIn('running', limits)).toEqual([]);
    for (const state of ['success', 'failed', 'up_for_retry', 'up_for_reschedule', 'skipped', 'scheduled'] as const) {
      expect(limitsReleasedIn(state, limits)).toEqual(limits);
    }
  });

  it('keeps only the slots of a pool that counts deferred tasks while deferred', () => {
    expect(limitsReleasedIn('deferred', limits).map((l) => l.kind)).toEqual(['run', 'task']);
  });
});

describe('attemptHoldsLease and staleLeases', () => {
  const holder: TaskAttemptKey = { ...key, tryNumber: 2 };
  const now = new Date('2024-01-01T01:00:00Z');
  const lease = (overrides: Partial<SlotLeaseView> = {}): SlotLeaseView => ({
    limitId: 'pool#p',
    holder,
    slots: 1,
    acquiredAt: new Date(now.getTime() - 120_000),
    heldWhileDeferred: false,
    ...overrides,
  });

  it('counts only the same try while queued or running, or deferred where the pool counts that', () => {
    expect(attemptHoldsLease(ti(r, 'load', 'running', { tryNumber: 2 }), lease())).toBe(true);
    expect(attemptHoldsLease(ti(r, 'load', 'queued', { tryNumber: 2 }), lease())).toBe(true);
    expect(attemptHoldsLease(ti(r, 'load', 'queued', { tryNumber: 3 }), lease())).toBe(false);
    expect(attemptHoldsLease(ti(r, 'load', 'up_for_retry', { tryNumber: 2 }), lease())).toBe(false);
    expect(attemptHoldsLease(ti(r, 'load', 'deferred', { tryNumber: 2 }), lease())).toBe(false);
    expect(attemptHoldsLease(ti(r, 'load', 'deferred', { tryNumber: 2 }), lease({ heldWhileDeferred: true }))).toBe(true);
    expect(attemptHoldsLease(undefined, lease())).toBe(false);
  });

  it('releases leases of ended attempts and of runs no longer active, after the grace, and never judges an unseen run', () => {
    const instances = (state: 'running' | 'failed') => new Map([[`load\u0000-1`, ti(r, 'load', state, { tryNumber: 2 })]]);
    const judge = (runs: Parameters<typeof staleLeases>[0]['runs'], leases = [lease()]) => staleLeases({ leases, runs, now, graceSeconds: 60 });
    const runKey = dagRunMapKey(r);
    expect(judge(new Map([[runKey, { kind: 'scheduled', instances: instances('running') }]]))).toEqual([]);
    expect(judge(new Map([[runKey, { kind: 'scheduled', instances: instances('failed') }]]))).toEqual([lease()]);
    expect(judge(new Map([[runKey, { kind: 'scheduled', instances: new Map() }]]))).toEqual([lease()]);
    expect(judge(new Map([[runKey, { kind: 'unseen' }]]))).toEqual([]);
    expect(judge(new Map())).toEqual([lease()]);
    // Young leases may belong to an acquire whose task instance write is still on its way.
    const young = lease({ acquiredAt: new Date(now.getTime() - 30_000) });
    expect(judge(new Map(), [young])).toEqual([]);
  });
});

describe('runOfLimitId', () => {
  it('reads the run back from a run limit id, whatever the run id holds', () => {
    expect(runOfLimitId('run#etl#manual__2024#01')).toEqual({ dagId: 'etl', runId: 'manual__2024#01' });
    expect(runOfLimitId('pool#default_pool')).toBeNull();
  });
});
