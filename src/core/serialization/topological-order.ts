import { ValidationError } from '../errors.ts';

/**
 * Orders tasks so that every upstream comes before its downstreams, staying as close to the given
 * order as the dependencies allow (a depth-first walk over upstreams, in the given order). Throws on a
 * cycle or an upstream id that names no task.
 */
export function topologicalOrder<T extends { taskId: string; upstreamTaskIds: Iterable<string> }>(
  dagId: string,
  tasks: Iterable<T>,
): T[] {
  const byId = new Map<string, T>();
  for (const task of tasks) byId.set(task.taskId, task);
  const ordered: T[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (taskId: string, from: string | null): void => {
    if (done.has(taskId)) return;
    const task = byId.get(taskId);
    if (!task) {
      throw new ValidationError(`DAG "${dagId}": task "${from}" has upstream "${taskId}", which is not a task of this DAG.`, 'tasks');
    }
    const cycleStart = path.indexOf(taskId);
    if (cycleStart >= 0) {
      const cycle = [...path.slice(cycleStart), taskId].reverse();
      throw new ValidationError(`DAG "${dagId}": the dependencies form a cycle: ${cycle.join(' -> ')}.`, 'tasks');
    }
    path.push(taskId);
    for (const upstream of [...task.upstreamTaskIds].sort()) visit(upstream, taskId);
    path.pop();
    done.add(taskId);
    ordered.push(task);
  };
  for (const taskId of byId.keys()) visit(taskId, null);
  return ordered;
}
