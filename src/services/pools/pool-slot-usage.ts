import type { TaskInstanceState } from '../../core/model/states.ts';
import type { Metastore } from '../../core/ports/metastore.ts';

/** Slots taken in one pool by task instance state (Airflow's Pool.slots_stats). */
export interface PoolSlotUsage {
  running: number;
  queued: number;
  scheduled: number;
  deferred: number;
}

const COUNTED_STATES: ReadonlySet<TaskInstanceState> = new Set(['running', 'queued', 'scheduled', 'deferred']);
const RUN_READS_IN_FLIGHT = 8;

export const emptyPoolSlotUsage = (): PoolSlotUsage => ({ running: 0, queued: 0, scheduled: 0, deferred: 0 });

/**
 * Counts, per pool, the slots held by task instances of active (queued or running) runs: each instance
 * takes its task's `poolSlots` (from the run's DAG version). Computed from the metastore on every call
 * rather than kept as counters, so it is always what the task instances say; the cost is one query per
 * active run.
 */
export async function computePoolSlotUsage(metastore: Metastore): Promise<Map<string, PoolSlotUsage>> {
  const runs = await metastore.listActiveDagRuns();
  const versions = new Map<string, Promise<Map<string, number>>>();
  const poolSlotsByTask = (dagId: string, versionId: string) => {
    const key = `${dagId}\u0000${versionId}`;
    let slots = versions.get(key);
    if (!slots) {
      slots = metastore
        .getDagVersion(dagId, versionId)
        .then((version) => new Map((version?.serialized.tasks ?? []).map((task) => [task.taskId, task.poolSlots])));
      versions.set(key, slots);
    }
    return slots;
  };

  const usage = new Map<string, PoolSlotUsage>();
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const [instances, slotsByTask] = await Promise.all([metastore.listTaskInstances(run), poolSlotsByTask(run.dagId, run.versionId)]);
      for (const ti of instances) {
        if (!COUNTED_STATES.has(ti.state)) continue;
        const pool = usage.get(ti.pool) ?? emptyPoolSlotUsage();
        pool[ti.state as keyof PoolSlotUsage] += slotsByTask.get(ti.taskId) ?? 1;
        usage.set(ti.pool, pool);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RUN_READS_IN_FLIGHT, runs.length) }, worker));
  return usage;
}
