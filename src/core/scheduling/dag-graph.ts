import type { SerializedDag } from '../model/serialized-dag.ts';

/**
 * The tasks whose states decide the run's state (Airflow's DagRun._tis_for_dagrun_state): leaves,
 * looking through teardowns. A teardown counts only with onFailureFailDagrun, and a task whose only
 * downstreams are such ignorable teardowns counts as a leaf. Without setup/teardown: the plain leaves.
 */
export function runStateLeafTaskIds(dag: SerializedDag): Set<string> {
  const byId = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const ignorable = (taskId: string) => {
    const task = byId.get(taskId);
    return task?.isTeardown === true && task.onFailureFailDagrun !== true;
  };
  const downstreamOf = new Map<string, string[]>(dag.tasks.map((task) => [task.taskId, []]));
  for (const task of dag.tasks) for (const up of task.upstreamTaskIds) downstreamOf.get(up)?.push(task.taskId);
  const leaves = dag.tasks
    .filter((task) => !ignorable(task.taskId) && downstreamOf.get(task.taskId)!.every(ignorable))
    .map((task) => task.taskId);
  // A DAG of teardowns only: its plain leaves.
  return leaves.length > 0 ? new Set(leaves) : leafTaskIds(dag);
}

/** Ids of tasks with no downstream: the tasks whose states decide the run's state. */
export function leafTaskIds(dag: SerializedDag): Set<string> {
  const withDownstream = new Set<string>();
  for (const task of dag.tasks) for (const up of task.upstreamTaskIds) withDownstream.add(up);
  return new Set(dag.tasks.filter((t) => !withDownstream.has(t.taskId)).map((t) => t.taskId));
}
