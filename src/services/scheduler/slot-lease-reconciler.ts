import { dagRunMapKey, type DagRunKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { SlotLeaseStore } from '../../core/ports/slot-lease-store.ts';
import { instanceKey, runOfLimitId, staleLeases, type StaleLeaseInput } from '../../core/scheduling/concurrency-limits.ts';
import { mapWithConcurrency } from './concurrency.ts';

/**
 * A lease younger than this is never released by the reconcile: its acquire may still be waiting for
 * the task instance write that follows it (or the tick's listing may predate that write).
 */
export const DEFAULT_LEASE_GRACE_SECONDS = 60;
const RELEASES_IN_FLIGHT = 8;

type RunView = StaleLeaseInput['runs'] extends ReadonlyMap<string, infer V> ? V : never;

export interface ReconcileInput {
  /** Every run the tick listed as active (queued or running), scheduled this tick or not. */
  activeRuns: readonly DagRunKey[];
  /** The runs this tick scheduled, with their instances after scheduling (queued, running, deferred). */
  scheduled: ReadonlyMap<string, { run: DagRunKey; instances: readonly TaskInstanceRecord[] }>;
}

export interface ReconcileReport {
  /** Leases given back because their attempts no longer held them (a crashed worker or process). */
  released: number;
  /** Per-run counters of runs that are over, deleted. */
  forgotten: number;
  /** Counters set back to the sum of their leases (a count some write left wrong). */
  repaired: number;
}

/**
 * The safety net under the slot leases: releases every lease whose attempt is no longer queued or
 * running (or deferred, where the pool counts that) with its try, and whose run the tick could see. A
 * process that died between taking a lease and giving it back therefore costs a slot for one tick
 * after the grace, never for good.
 */
export class SlotLeaseReconciler {
  constructor(
    private readonly deps: { slotLeases: SlotLeaseStore; clock: Clock; logger: Logger },
    private readonly graceSeconds = DEFAULT_LEASE_GRACE_SECONDS,
  ) {}

  async reconcile(input: ReconcileInput): Promise<ReconcileReport> {
    const runs = new Map<string, RunView>();
    for (const run of input.activeRuns) runs.set(dagRunMapKey(run), { kind: 'unseen' });
    for (const { run, instances } of input.scheduled.values()) {
      runs.set(dagRunMapKey(run), { kind: 'scheduled', instances: new Map(instances.map((ti) => [instanceKey(ti), ti])) });
    }
    const usage = await this.deps.slotLeases.listUsage();
    const leases = usage.flatMap((limit) => limit.leases);
    const stale = staleLeases({ leases, runs, now: this.deps.clock.now(), graceSeconds: this.graceSeconds });
    await mapWithConcurrency(stale, RELEASES_IN_FLIGHT, async (lease) => {
      await this.deps.slotLeases.release(lease.holder, [{ id: lease.limitId, slots: lease.slots }]);
      this.deps.logger.info(`Released a slot lease its attempt no longer holds (${lease.limitId})`, {
        dag_id: lease.holder.dagId,
        run_id: lease.holder.runId,
        task_id: lease.holder.taskId,
        map_index: lease.holder.mapIndex,
        try_number: lease.holder.tryNumber,
      });
    });

    // A run's maxActiveTasks counter outlives the run only until its last lease is gone.
    const staleIds = new Set(stale.map((lease) => `${lease.limitId}\u0000${JSON.stringify(lease.holder)}`));
    const finishedRunLimits = usage.filter((limit) => {
      const run = runOfLimitId(limit.limitId);
      if (run === null || runs.has(dagRunMapKey(run))) return false;
      return limit.leases.every((lease) => staleIds.has(`${lease.limitId}\u0000${JSON.stringify(lease.holder)}`));
    });
    await mapWithConcurrency(finishedRunLimits, RELEASES_IN_FLIGHT, (limit) => this.deps.slotLeases.forgetIfUnused(limit.limitId));

    // A count that differs from its leases would refuse or over-grant slots for good; the leases are the truth.
    const miscounted = usage.filter((limit) => limit.taken !== limit.leases.reduce((sum, lease) => sum + lease.slots, 0));
    const repairs = await mapWithConcurrency(miscounted, RELEASES_IN_FLIGHT, async (limit) => {
      const repaired = await this.deps.slotLeases.repairCount(limit.limitId);
      if (repaired) this.deps.logger.warn(`Corrected the slot count of ${limit.limitId} to the sum of its leases (it said ${limit.taken})`);
      return repaired;
    });
    return { released: stale.length, forgotten: finishedRunLimits.length, repaired: repairs.filter(Boolean).length };
  }
}
