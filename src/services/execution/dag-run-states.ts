import type { Metastore } from '../../core/ports/metastore.ts';
import type { DagRunStates } from './attempt-messages.ts';

/**
 * The run of `dagId` whose logical date is `logicalDate`, and the states of its task instances (only
 * `taskIds`, when given). Several runs may share a logical date in Airflow 3 (a manual run and a scheduled
 * one); the newest is the one that counts, as Airflow's count queries see the latest state. A task that
 * has no instance yet is simply absent, which a sensor reads as "not yet".
 */
export async function readDagRunStates(
  metastore: Pick<Metastore, 'searchDagRuns' | 'listTaskInstances'>,
  dagId: string,
  logicalDate: Date,
  taskIds: readonly string[] | null,
): Promise<DagRunStates> {
  const runs = await metastore.searchDagRuns(dagId, { logicalDate: { gte: logicalDate, lte: logicalDate } });
  const newest = runs
    .map((found) => found.run)
    .sort((a, b) => b.queuedAt.getTime() - a.queuedAt.getTime())[0];
  if (!newest) return { dagRun: null, taskInstances: [] };
  const wanted = taskIds && taskIds.length > 0 ? new Set(taskIds) : null;
  const tis = await metastore.listTaskInstances(newest);
  return {
    dagRun: { runId: newest.runId, state: newest.state },
    taskInstances: tis
      .filter((ti) => wanted === null || wanted.has(ti.taskId))
      .map((ti) => ({ taskId: ti.taskId, mapIndex: ti.mapIndex, state: ti.state }))
      .sort((a, b) => a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex),
  };
}
