import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import { evaluateTriggerRule, summarizeUpstream, type TriggerRuleOutcome } from './trigger-rules.ts';

/** Task instances of one run, by task id (unmapped tasks only: map index -1 until mapping exists). */
export type TaskInstanceIndex = ReadonlyMap<string, TaskInstanceRecord>;

export function indexTaskInstances(tis: readonly TaskInstanceRecord[]): Map<string, TaskInstanceRecord> {
  const index = new Map<string, TaskInstanceRecord>();
  for (const ti of tis) if (ti.mapIndex < 0) index.set(ti.taskId, ti);
  return index;
}

/**
 * Evaluates a task's trigger rule against the run's task instances. An upstream without a task instance
 * counts as not finished: it cannot have run, so nothing downstream may be decided from it.
 */
export function evaluateTask(task: SerializedTask, index: TaskInstanceIndex, dag?: SerializedDag): TriggerRuleOutcome {
  const states = task.upstreamTaskIds.map((id) => index.get(id)?.state ?? 'none');
  // Setup upstreams count apart for a teardown's all_done_setup_success; without the DAG, none is known.
  const setups = dag ? setupTaskIds(dag) : null;
  const setupStates = setups ? task.upstreamTaskIds.filter((id) => setups.has(id)).map((id) => index.get(id)?.state ?? 'none') : [];
  return evaluateTriggerRule(task.triggerRule, summarizeUpstream(states, setupStates));
}

const setupIdsByDag = new WeakMap<SerializedDag, ReadonlySet<string>>();

/** Ids of the DAG's setup tasks, computed once per serialized DAG object. */
export function setupTaskIds(dag: SerializedDag): ReadonlySet<string> {
  let ids = setupIdsByDag.get(dag);
  if (!ids) {
    ids = new Set(dag.tasks.filter((task) => task.isSetup === true).map((task) => task.taskId));
    setupIdsByDag.set(dag, ids);
  }
  return ids;
}

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
