import type { BackfillStore } from '../../core/ports/backfill-store.ts';
import type { AssetTriggerStore } from '../../core/ports/asset-trigger-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import type { PlanningSettings } from '../../core/scheduling/task-planning.ts';
import type { PoolStore } from '../../core/ports/pool-store.ts';
import type { SlotLeaseStore } from '../../core/ports/slot-lease-store.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import type { TaskTokens } from '../execution/task-tokens.ts';
import type { TriggerQueue } from '../../core/ports/trigger-queue.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import type { RunFactsCache } from '../run-facts-cache.ts';

export interface SchedulerSettings extends PlanningSettings {
  /** Names this scheduler in its heartbeat and logs. */
  schedulerId: string;
  /** Upper bound of scheduled runs one tick creates per DAG (a long catchup spreads over ticks). */
  maxRunsToCreatePerTick: number;
  /** How many DAGs or runs a tick works on at once. Default 8. */
  tickConcurrency?: number;
  /**
   * At most this many mapped instances one pass creates (default: all). The fast path in AWS answers
   * within API Gateway's 30 s, so it creates a bounded share and leaves the rest to the tick.
   */
  maxMappedInstancesPerPass?: number;
}

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = {
  schedulerId: 'scheduler',
  taskHeartbeatTimeoutSeconds: 300,
  taskQueuedTimeoutSeconds: 600,
  maxRunsToCreatePerTick: 10,
  executionTimeoutGraceSeconds: 60,
  tickConcurrency: 8,
};

export interface SchedulerDeps {
  metastore: Metastore;
  executors: ExecutorRegistry;
  clock: Clock;
  tokens: TaskTokens;
  logger: Logger;
  dagVersions: DagVersionCache;
  settings: SchedulerSettings;
  /** Runs' fixed facts; pass the Execution API's own so a process reads each run once. */
  runFacts?: RunFactsCache;
  /** Flushed at the end of each tick (the executors' slot metrics go through it). */
  metrics?: Metrics;
  /** Where asset-triggered runs record what they consumed; absent, DAGs scheduled on assets never run by them. */
  assetTriggers?: AssetTriggerStore;
  /** Backfills the tick starts and completes (src/services/backfill); absent, backfill runs are not told apart. */
  backfills?: BackfillStore;
  /** Where deferred tasks' I/O triggers go to the triggerer each tick; absent, only time triggers fire. */
  triggerQueue?: TriggerQueue;
  // Concurrency limits: with both, pools, maxActiveTasks and maxActiveTisPerDag are enforced with slot
  // leases (src/services/pools/slot-lease-gate.ts); without, no limit but the executors' parallelism.
  /** Slot leases, shared by every scheduler and the fast path (the metastore table). */
  slotLeases?: SlotLeaseStore;
  /** Pool records, for the pools' slots and includeDeferred. */
  pools?: PoolStore;
  /** Where large XComs live: a mapped task over an upstream's large list reads its length there. */
  objectStore?: ObjectStore;
}
