import type { SerializedParam, SerializedTask } from '../../core/model/serialized-dag.ts';

/**
 * What a starting attempt is told about its run, derived from the serialized DAG only (the API never
 * imports user code).
 */

/** DAG param defaults, overlaid by the run's conf for keys that are params (other conf keys stay in conf). */
export function resolveParams(
  params: Record<string, SerializedParam>,
  conf: Record<string, unknown>,
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(params)) {
    if (Object.hasOwn(conf, name)) resolved[name] = conf[name];
    else if (param.default !== undefined) resolved[name] = param.default;
  }
  return resolved;
}

/**
 * The tasks whose `return_value` the attempt is likely to pull: its direct upstreams and every task its
 * TaskFlow arguments reference. Sending them with the start answer saves the runner a round trip each.
 */
export function prefetchedXComTaskIds(
  task: Pick<SerializedTask, 'upstreamTaskIds' | 'args'>,
  tasks: readonly Pick<SerializedTask, 'taskId' | 'doXcomPush'>[] = [],
): string[] {
  // An upstream that pushes no return value (an empty task, doXcomPush: false) has nothing to read.
  const silent = new Set(tasks.filter((candidate) => !candidate.doXcomPush).map((candidate) => candidate.taskId));
  const ids = new Set(task.upstreamTaskIds.filter((taskId) => !silent.has(taskId)));
  for (const arg of task.args) {
    if (arg.kind === 'xcom') ids.add(arg.taskId);
  }
  return [...ids];
}
