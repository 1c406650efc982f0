import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { AttemptEndState } from '../../core/model/states.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import type { PoolStore } from '../../core/ports/pool-store.ts';
import type { SlotLeaseStore } from '../../core/ports/slot-lease-store.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import { SlotLeaseGate } from '../pools/slot-lease-gate.ts';
import type { RunFactsCache } from '../run-facts-cache.ts';
import { attemptLogKeys } from './attempt-log-keys.ts';
import { attemptStateNow, startHoldingSlots } from './delayed-start.ts';

export interface AttemptSlotsDeps {
  metastore: Pick<Metastore, 'getTaskInstance'>;
  dagVersions: DagVersionCache;
  clock: Clock;
  logger: Logger;
  slotLeases?: SlotLeaseStore;
  pools?: PoolStore;
}

/**
 * The Execution API's side of the slot leases: a delayed start takes the task's slots itself, and a
 * finish gives back what the attempt no longer holds. Without both stores nothing is limited, and both
 * are no-ops.
 */
export class AttemptSlots {
  private readonly gate: SlotLeaseGate | null;

  constructor(
    private readonly deps: AttemptSlotsDeps,
    private readonly runs: RunFactsCache,
  ) {
    const { slotLeases, pools, clock, logger } = deps;
    this.gate = slotLeases && pools ? new SlotLeaseGate({ slotLeases, pools, clock, logger }) : null;
  }

  /** The start of a delayed delivery, from up_for_reschedule: it takes the task's slots first (delayed-start.ts). */
  async startDelayed<T>(token: TaskAttemptKey, start: () => Promise<T>): Promise<T> {
    const run = this.gate ? await this.runs.get(token) : null;
    const version = run ? await this.deps.dagVersions.get(run.dagId, run.versionId) : null;
    const task = version?.serialized.tasks.find((candidate) => candidate.taskId === token.taskId);
    if (!this.gate || !version || !task) return start();
    const { gate } = this;
    return startHoldingSlots(
      token,
      {
        acquire: () => gate.acquire(token, task, version.serialized),
        releaseUnlessHeld: async () =>
          gate.releaseIn(token, attemptStateNow(await this.deps.metastore.getTaskInstance(token), token), task, version.serialized),
      },
      start,
    );
  }

  /** Gives back what the attempt no longer holds in `state`; never fails the finish (the tick reconciles). */
  async release(attempt: TaskAttemptKey, state: AttemptEndState): Promise<void> {
    if (!this.gate) return;
    try {
      const run = await this.runs.get(attempt);
      if (!run) return;
      const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
      const task = version.serialized.tasks.find((candidate) => candidate.taskId === attempt.taskId);
      if (task) await this.gate.releaseIn(attempt, state, task, version.serialized);
    } catch (error) {
      this.deps.logger.warn(
        `Could not give back the task's slots; the scheduler's reconcile frees them: ${error instanceof Error ? error.message : String(error)}`,
        attemptLogKeys(attempt),
      );
    }
  }
}
