import { dagRunMapKey, type TaskAttemptKey, type TaskInstanceKey } from '../model/keys.ts';
import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import type { TaskInstanceState } from '../model/states.ts';
import { DEFAULT_POOL_NAME, type PoolRecord } from '../ports/pool-store.ts';
import { dagHasMappedTasks } from './mapping.ts';

/** Airflow creates `default_pool` with 128 slots; Updraft uses that until someone stores another. */
export const DEFAULT_POOL_SLOTS = 128;

export const defaultPoolRecord = (): PoolRecord => ({
  name: DEFAULT_POOL_NAME,
  slots: DEFAULT_POOL_SLOTS,
  description: 'Default pool',
  includeDeferred: false,
});

/**
 * - `pool`: a pool's slots, across all DAGs (a task takes its `poolSlots`).
 * - `run`: the DAG's `maxActiveTasks`, per run as in Airflow 3 (each instance takes 1).
 * - `task`: a task's `maxActiveTisPerDag`, across the DAG's runs (each instance takes 1).
 */
export type SlotLimitKind = 'pool' | 'run' | 'task';

/** One limited resource an attempt takes slots of while it is queued or running. */
export interface SlotLimit {
  /** Stable id of the resource; the metastore keeps one item per id. */
  id: string;
  kind: SlotLimitKind;
  /** How many slots the resource has. */
  capacity: number;
  /** How many of them this attempt takes. */
  slots: number;
  /** Whether a deferred attempt keeps its slots (a pool with `includeDeferred`). */
  heldWhileDeferred: boolean;
  /** For logs and messages, e.g. `pool "warehouse" (4 slots)`. */
  description: string;
}

export const poolLimitId = (pool: string): string => `pool#${pool}`;
export const runLimitId = (run: { dagId: string; runId: string }): string => `run#${run.dagId}#${run.runId}`;
export const taskLimitId = (dagId: string, taskId: string): string => `task#${dagId}#${taskId}`;

/** The run of a `run` limit id (dag ids cannot contain `#`, so the first one ends the dag id). */
export function runOfLimitId(limitId: string): { dagId: string; runId: string } | null {
  if (!limitId.startsWith('run#')) return null;
  const rest = limitId.slice('run#'.length);
  const split = rest.indexOf('#');
  return split > 0 ? { dagId: rest.slice(0, split), runId: rest.slice(split + 1) } : null;
}

export type SlotLimitPlan =
  | { ok: true; limits: SlotLimit[] }
  /** The task names a pool that does not exist: Airflow leaves it scheduled (and logs) until it does. */
  | { ok: false; missingPool: string };

/**
 * Which limits an instance of `task` is subject to, and with how many slots. `pool` is the stored record
 * of the task's pool (null: none stored; `default_pool` then has its default). Unlimited resources (a
 * pool of -1 slots, no `maxActiveTisPerDag`, a run too small to pass `maxActiveTasks`) are left out, so a
 * task without a finite limit costs nothing.
 */
export function slotLimitsFor(ti: TaskInstanceKey, task: SerializedTask, dag: SerializedDag, pool: PoolRecord | null): SlotLimitPlan {
  const poolRecord = pool ?? (task.pool === DEFAULT_POOL_NAME ? defaultPoolRecord() : null);
  if (!poolRecord) return { ok: false, missingPool: task.pool };
  const limits: SlotLimit[] = [];
  if (poolRecord.slots >= 0) {
    limits.push({
      id: poolLimitId(poolRecord.name),
      kind: 'pool',
      capacity: poolRecord.slots,
      slots: task.poolSlots,
      heldWhileDeferred: poolRecord.includeDeferred,
      description: `pool "${poolRecord.name}" (${poolRecord.slots} slots)`,
    });
  }
  if (runCanExceed(dag, ti)) {
    limits.push({
      id: runLimitId(ti),
      kind: 'run',
      capacity: dag.maxActiveTasks,
      slots: 1,
      heldWhileDeferred: false,
      description: `maxActiveTasks of DAG "${dag.dagId}" (${dag.maxActiveTasks} per run)`,
    });
  }
  if (task.maxActiveTisPerDag !== undefined) {
    limits.push({
      id: taskLimitId(ti.dagId, task.taskId),
      kind: 'task',
      capacity: task.maxActiveTisPerDag,
      slots: 1,
      heldWhileDeferred: false,
      description: `maxActiveTisPerDag of task "${task.taskId}" (${task.maxActiveTisPerDag})`,
    });
  }
  return { ok: true, limits };
}

/**
 * Whether a run can have more instances queued or running than `maxActiveTasks`: a run of fewer
 * worker tasks (empty tasks never queue) cannot, so its limit costs nothing. A DAG with a mapped task
 * has an unknown number of instances, so the limit applies to all of its tasks.
 */
export function runCanExceed(dag: SerializedDag, ti: Pick<TaskInstanceKey, 'mapIndex'>): boolean {
  if (ti.mapIndex >= 0 || dagHasMappedTasks(dag)) return true;
  return dag.tasks.filter((task) => task.operator !== 'empty').length > dag.maxActiveTasks;
}

/** The limits an attempt no longer holds once it is in `state` (deferred keeps a pool that counts it). */
export function limitsReleasedIn(state: TaskInstanceState, limits: readonly SlotLimit[]): SlotLimit[] {
  if (state === 'queued' || state === 'running') return [];
  if (state === 'deferred') return limits.filter((limit) => !limit.heldWhileDeferred);
  return [...limits];
}

/** A lease as the store keeps it: who holds how many slots of which resource since when. */
export interface SlotLeaseView {
  limitId: string;
  holder: TaskAttemptKey;
  slots: number;
  acquiredAt: Date;
  heldWhileDeferred: boolean;
}

/**
 * Whether the attempt `holder` still occupies its slot, given its task instance as stored now
 * (undefined: there is none). Only the same try, queued or running (or deferred, where that counts).
 */
export function attemptHoldsLease(ti: Pick<TaskInstanceRecord, 'state' | 'tryNumber'> | undefined, lease: Pick<SlotLeaseView, 'holder' | 'heldWhileDeferred'>): boolean {
  if (!ti || ti.tryNumber !== lease.holder.tryNumber) return false;
  if (ti.state === 'queued' || ti.state === 'running') return true;
  return ti.state === 'deferred' && lease.heldWhileDeferred;
}

export interface StaleLeaseInput {
  leases: readonly SlotLeaseView[];
  /**
   * What the caller knows of each run (by `dagRunMapKey`): `scheduled` with its instances (keyed by
   * `taskId` and `mapIndex`, see `instanceKey`), or `unseen` for a run that is active but whose
   * instances were not read (a paused DAG's run). A run absent from the map is no longer active.
   */
  runs: ReadonlyMap<string, { kind: 'scheduled'; instances: ReadonlyMap<string, TaskInstanceRecord> } | { kind: 'unseen' }>;
  now: Date;
  /** Leases younger than this are kept: their acquire may be waiting for its task instance write. */
  graceSeconds: number;
}

export const instanceKey = (ti: Pick<TaskInstanceKey, 'taskId' | 'mapIndex'>): string => `${ti.taskId}\u0000${ti.mapIndex}`;

/** The leases whose attempts no longer hold them: to release, so a crashed worker leaks no slot. */
export function staleLeases(input: StaleLeaseInput): SlotLeaseView[] {
  const cutoff = input.now.getTime() - input.graceSeconds * 1000;
  return input.leases.filter((lease) => {
    if (lease.acquiredAt.getTime() > cutoff) return false;
    const run = input.runs.get(dagRunMapKey(lease.holder));
    if (!run) return true;
    if (run.kind === 'unseen') return false;
    return !attemptHoldsLease(run.instances.get(instanceKey(lease.holder)), lease);
  });
}
