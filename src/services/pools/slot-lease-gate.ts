import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { SerializedDag, SerializedTask } from '../../core/model/serialized-dag.ts';
import type { TaskInstanceState } from '../../core/model/states.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { PoolStore } from '../../core/ports/pool-store.ts';
import type { SlotLeaseStore } from '../../core/ports/slot-lease-store.ts';
import { limitsReleasedIn, slotLimitsFor, type SlotLimit } from '../../core/scheduling/concurrency-limits.ts';
import { PoolCache } from './pool-cache.ts';

export interface SlotLeaseGateDeps {
  slotLeases: SlotLeaseStore;
  pools: PoolStore;
  clock: Clock;
  logger: Logger;
}

/**
 * `granted`: the attempt holds every slot it needs (or needs none). Otherwise it must wait: `reason`
 * says for what (a full limit, or a pool that does not exist).
 */
export type SlotGateAnswer = { granted: true } | { granted: false; reason: string };

/**
 * Slot releases in flight in this process. A finish gives its slots back while the fast path already
 * schedules the run's next tasks (side by side, so a hop pays no extra round trip); an acquire that finds
 * a limit full waits for the releases still in flight here and tries once more, so a saturated pool still
 * hands a freed slot over at once instead of at the next tick.
 */
const releasesInFlight = new Set<Promise<unknown>>();
/** Moves on each time a tracked release ends: an acquire that saw a limit full compares it with what it saw before. */
let releasesEnded = 0;

/**
 * Registers a release (of slots not yet known) as in flight until it settles. Call it synchronously when
 * the release starts, before anything that may acquire runs.
 */
export function trackSlotRelease(release: Promise<unknown>): void {
  const settled = release.then(
    () => undefined,
    () => undefined,
  );
  releasesInFlight.add(settled);
  void settled.then(() => {
    releasesInFlight.delete(settled);
    releasesEnded += 1;
  });
}

/**
 * Whether an acquire that found a limit full may find room now: a release of this process was in flight
 * (waited for here) or ended since `endedBefore` (it may have landed just after the acquire looked).
 */
async function releasedSince(endedBefore: number): Promise<boolean> {
  const pending = releasesInFlight.size > 0;
  if (pending) await Promise.all([...releasesInFlight]);
  return pending || releasesEnded !== endedBefore;
}

/**
 * Pools, `maxActiveTasks` and `maxActiveTisPerDag` for the scheduler and the Execution API: works out an
 * attempt's limits (pool records from a short-lived cache) and takes or gives back its slot leases.
 */
export class SlotLeaseGate {
  private readonly poolCache: PoolCache;

  constructor(private readonly deps: SlotLeaseGateDeps) {
    this.poolCache = new PoolCache(deps.pools, deps.clock);
  }

  /** Takes the attempt's slots before it is queued. A repeat for an attempt that holds them is granted. */
  async acquire(attempt: TaskAttemptKey, task: SerializedTask, dag: SerializedDag): Promise<SlotGateAnswer> {
    const plan = slotLimitsFor(attempt, task, dag, await this.poolCache.get(task.pool));
    if (!plan.ok) {
      // Airflow leaves such a task scheduled and logs; so does Updraft, on every pass, until the pool exists.
      const reason =
        `task "${task.taskId}" uses pool "${plan.missingPool}", which does not exist; it waits until the pool is created ` +
        `(updraft pools set ${plan.missingPool} <slots> "<description>", or POST /api/v2/pools)`;
      this.deps.logger.warn(`Task instance not queued: ${reason}`, attemptAttributes(attempt));
      return { granted: false, reason };
    }
    const endedBefore = releasesEnded;
    let result = await this.deps.slotLeases.acquire(attempt, plan.limits, this.deps.clock.now());
    if (!result.granted && (await releasedSince(endedBefore))) {
      result = await this.deps.slotLeases.acquire(attempt, plan.limits, this.deps.clock.now());
    }
    if (result.granted) return { granted: true };
    return { granted: false, reason: `no open slot in ${result.full.map((limit) => limit.description).join(' and ') || 'its limits'}` };
  }

  /**
   * Gives back what the attempt stops holding in `state` (everything, or for deferred what the pool
   * does not count). Never throws: a failed release is logged and left to the scheduler's reconcile.
   */
  async releaseIn(attempt: TaskAttemptKey, state: TaskInstanceState, task: SerializedTask, dag: SerializedDag): Promise<void> {
    try {
      const limits = limitsReleasedIn(state, await this.limitsHeld(attempt, task, dag));
      if (limits.length > 0) await this.deps.slotLeases.release(attempt, limits);
    } catch (error) {
      this.deps.logger.warn(`Could not give back the task's slots; the scheduler's reconcile frees them: ${describe(error)}`, attemptAttributes(attempt));
    }
  }

  /** The limits the attempt may hold; a pool deleted since is left to the reconcile. */
  private async limitsHeld(attempt: TaskAttemptKey, task: SerializedTask, dag: SerializedDag): Promise<SlotLimit[]> {
    const plan = slotLimitsFor(attempt, task, dag, await this.poolCache.get(task.pool));
    if (plan.ok) return plan.limits;
    const withoutPool = slotLimitsFor(attempt, task, dag, { name: task.pool, slots: -1, description: null, includeDeferred: false });
    return withoutPool.ok ? withoutPool.limits : [];
  }
}

function attemptAttributes(attempt: TaskAttemptKey): Record<string, unknown> {
  return { dag_id: attempt.dagId, run_id: attempt.runId, task_id: attempt.taskId, map_index: attempt.mapIndex, try_number: attempt.tryNumber };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
