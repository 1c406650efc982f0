import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedMapSource, SerializedTask } from '../model/serialized-dag.ts';

/**
 * Dynamic task mapping's pure rules (Airflow's expand()/partial() and mapped task groups). A mapped
 * task's run first holds one placeholder instance (map index -1). Once every list it maps over has a
 * known length, the scheduler creates instances 0..n-1 and marks the placeholder `removed` (or
 * `skipped` when n = 0, as Airflow skips a task mapped over an empty list).
 */

/** Whether the task has one instance per element of some list (its own `.expand()` or a mapped group's). */
export function isMappedTask(task: Pick<SerializedTask, 'expandInputs' | 'mappedGroupId'>): boolean {
  return (task.expandInputs?.length ?? 0) > 0 || task.mappedGroupId !== undefined;
}

/** Whether any task of the DAG is mapped: computed once per serialized DAG object. */
export function dagHasMappedTasks(dag: SerializedDag): boolean {
  let has = hasMappedByDag.get(dag);
  if (has === undefined) {
    has = dag.tasks.some(isMappedTask);
    hasMappedByDag.set(dag, has);
  }
  return has;
}
const hasMappedByDag = new WeakMap<SerializedDag, boolean>();

/**
 * The lists a mapped task iterates over, in the order that decides its map indexes: its own inputs,
 * or its mapped group's list. Empty for an unmapped task.
 */
export function mapSourcesOf(dag: SerializedDag, task: SerializedTask): SerializedMapSource[] {
  if (task.mappedGroupId !== undefined) {
    const source = dag.taskGroups?.[task.mappedGroupId]?.expand;
    return source ? [source] : [];
  }
  return (task.expandInputs ?? []).map((input) => input.source);
}

/** Whether two tasks are expanded together, index by index (both inside the same mapped task group). */
export function sameMappedGroup(a: SerializedTask, b: SerializedTask | undefined): boolean {
  return a.mappedGroupId !== undefined && a.mappedGroupId === b?.mappedGroupId;
}

/** The map key of an XCom a mapped task iterates over (task id and XCom key). */
export const mapSourceKey = (source: { taskId: string; key: string }): string => `${source.taskId}\u0000${source.key}`;

/**
 * What the scheduler found in an upstream's XCom that a mapped task iterates over: its length when it
 * is a JSON array, or why it cannot be mapped over.
 */
export type MapLengthFact = { kind: 'length'; length: number } | { kind: 'invalid'; reason: string };

/** Describes a value that is not a list for the message of a task that cannot be expanded. */
export function mapLengthFactOf(value: unknown, source: { taskId: string; key: string }): MapLengthFact {
  if (Array.isArray(value)) return { kind: 'length', length: value.length };
  const what = value === undefined || value === null ? 'nothing' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return {
    kind: 'invalid',
    reason: `task "${source.taskId}" pushed ${what} as XCom "${source.key}", and a mapped task needs a list (JSON array) to expand over`,
  };
}

/**
 * The upstream XComs whose lengths planning needs now: sources of unexpanded mapped tasks whose
 * (unmapped) source task has succeeded. Planning waits for any it is not given.
 */
export function lengthFactsNeeded(
  dag: SerializedDag,
  placeholderOf: (taskId: string) => TaskInstanceRecord | undefined,
): Array<{ taskId: string; key: string }> {
  const tasks = taskMap(dag);
  const needed = new Map<string, { taskId: string; key: string }>();
  for (const task of dag.tasks) {
    if (!isMappedTask(task) || placeholderOf(task.taskId)?.state !== 'none') continue;
    for (const source of mapSourcesOf(dag, task)) {
      if (source.kind !== 'xcom') continue;
      const upstream = tasks.get(source.taskId);
      if (!upstream || isMappedTask(upstream)) continue;
      if (placeholderOf(source.taskId)?.state === 'success') needed.set(mapSourceKey(source), { taskId: source.taskId, key: source.key });
    }
  }
  return [...needed.values()];
}

const tasksByDag = new WeakMap<SerializedDag, ReadonlyMap<string, SerializedTask>>();

/** The DAG's tasks by id, computed once per serialized DAG object. */
export function taskMap(dag: SerializedDag): ReadonlyMap<string, SerializedTask> {
  let tasks = tasksByDag.get(dag);
  if (!tasks) {
    tasks = new Map(dag.tasks.map((task) => [task.taskId, task]));
    tasksByDag.set(dag, tasks);
  }
  return tasks;
}
