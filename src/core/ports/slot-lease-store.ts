import type { TaskAttemptKey } from '../model/keys.ts';
import type { SlotLeaseView, SlotLimit, SlotLimitKind } from '../scheduling/concurrency-limits.ts';

/**
 * `granted`: the attempt now holds a lease on every limit (or already did: acquiring is idempotent).
 * Otherwise nothing was taken, and `full` names the limits that had no room, as far as the store saw.
 */
export type SlotAcquireResult = { granted: true } | { granted: false; full: SlotLimit[] };

/** One limited resource as stored: its slots taken and who holds them. */
export interface SlotLimitUsage {
  limitId: string;
  kind: SlotLimitKind;
  /** The capacity the latest acquire saw (the limit itself lives in the pool or the DAG). */
  capacity: number;
  taken: number;
  leases: SlotLeaseView[];
}

/**
 * Slot leases: the cross-process counters behind pools, `maxActiveTasks` and `maxActiveTisPerDag`.
 * An attempt (the holder) takes its slots before its task instance is queued and gives them back when it
 * stops occupying them; the scheduler's reconcile releases what a crashed process left behind.
 */
export interface SlotLeaseStore {
  /** All or nothing over `limits`; an attempt already holding a lease keeps it (counted once). */
  acquire(holder: TaskAttemptKey, limits: readonly SlotLimit[], now: Date): Promise<SlotAcquireResult>;
  /** Gives back the holder's slots on each limit; a lease it does not hold is skipped (already released). */
  release(holder: TaskAttemptKey, limits: readonly Pick<SlotLimit, 'id' | 'slots'>[]): Promise<void>;
  /** Every resource with its leases (eventually consistent: a reconcile must allow for in-flight acquires). */
  listUsage(): Promise<SlotLimitUsage[]>;
  /** Deletes a resource's item when no lease is left on it (a finished run's `maxActiveTasks` counter). */
  forgetIfUnused(limitId: string): Promise<void>;
  /**
   * Sets a resource's `taken` to the sum of its leases when the two differ and nothing changed them
   * meanwhile; true when it corrected the count. The reconcile's answer to a count left wrong.
   */
  repairCount(limitId: string): Promise<boolean>;
}
