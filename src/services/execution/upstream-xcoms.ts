import type { TaskInstanceKey } from '../../core/model/keys.ts';
import type { SerializedDag, SerializedTask } from '../../core/model/serialized-dag.ts';
import { isMappedTask } from './mapped-inputs.ts';
import { prefetchedXComTaskIds } from './run-context.ts';
import type { StartXComReads } from './start-xcom-reads.ts';
import { RETURN_VALUE_KEY } from './xcom-values.ts';

/**
 * The `return_value` XComs a starting attempt is likely to pull, by task id, as Airflow resolves them:
 * an unmapped task's value; for a mapped task, the list of its instances' values by map index, except
 * for a task in the same mapped group, which gets the value at the reader's own map index.
 */
export async function readUpstreamXComs(
  ti: TaskInstanceKey,
  task: SerializedTask,
  dag: Pick<SerializedDag, 'tasks' | 'taskGroups'>,
  reads: StartXComReads,
): Promise<Record<string, unknown>> {
  const byId = new Map(dag.tasks.map((candidate) => [candidate.taskId, candidate]));
  const skipped = mapSourcesOnly(task, dag);
  const taskIds = prefetchedXComTaskIds(task, dag.tasks).filter((taskId) => !skipped.has(taskId));
  const values = await Promise.all(
    taskIds.map((taskId) => {
      const upstream = byId.get(taskId);
      if (!upstream || !isMappedTask(upstream)) return reads.value(taskId, -1, RETURN_VALUE_KEY);
      const sameGroup = ti.mapIndex >= 0 && task.mappedGroupId !== undefined && upstream.mappedGroupId === task.mappedGroupId;
      return sameGroup ? reads.value(taskId, ti.mapIndex, RETURN_VALUE_KEY) : reads.mapped(taskId, RETURN_VALUE_KEY);
    }),
  );
  const found: Record<string, unknown> = {};
  taskIds.forEach((taskId, index) => {
    if (values[index] !== undefined) found[taskId] = values[index];
  });
  return found;
}

/**
 * Upstreams a mapped task only maps over: every instance gets its element in `mappedInputs`, so the
 * whole list is not sent to each of them (n instances times an n-element list).
 */
function mapSourcesOnly(task: SerializedTask, dag: Pick<SerializedDag, 'taskGroups'>): Set<string> {
  const sources = new Set<string>();
  for (const input of task.expandInputs ?? []) if (input.source.kind === 'xcom') sources.add(input.source.taskId);
  for (const arg of task.args) {
    if (arg.kind !== 'map_item') continue;
    const source = dag.taskGroups?.[arg.groupId]?.expand;
    if (source?.kind === 'xcom') sources.add(source.taskId);
  }
  for (const arg of task.args) if (arg.kind === 'xcom') sources.delete(arg.taskId);
  return sources;
}
