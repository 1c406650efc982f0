import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';

/**
 * Which setup and teardown tasks come along when tasks are cleared, as Airflow's DAG.partial_subset
 * decides it: work is never re-run without the setups it relies on (and their teardowns), and a
 * cleared setup brings its teardowns. Pure: ids in, ids out.
 */

interface Graph {
  byId: ReadonlyMap<string, SerializedTask>;
  downstreamOf: ReadonlyMap<string, readonly string[]>;
}

function graphOf(dag: SerializedDag): Graph {
  const downstreamOf = new Map<string, string[]>(dag.tasks.map((task) => [task.taskId, []]));
  for (const task of dag.tasks) for (const up of task.upstreamTaskIds) downstreamOf.get(up)?.push(task.taskId);
  return { byId: new Map(dag.tasks.map((task) => [task.taskId, task])), downstreamOf };
}

const isSetup = (g: Graph, id: string) => g.byId.get(id)?.isSetup === true;
const isTeardown = (g: Graph, id: string) => g.byId.get(id)?.isTeardown === true;

function flatRelatives(g: Graph, start: string, upstream: boolean): Set<string> {
  const next = (id: string) => (upstream ? (g.byId.get(id)?.upstreamTaskIds ?? []) : (g.downstreamOf.get(id) ?? []));
  const seen = new Set<string>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return seen;
}

function directTeardowns(g: Graph, setupId: string, except: string): string[] {
  return (g.downstreamOf.get(setupId) ?? []).filter((id) => isTeardown(g, id) && id !== except);
}

/** Airflow's get_upstreams_follow_setups: every upstream, and each upstream setup's teardowns. */
function upstreamsFollowSetups(g: Graph, taskId: string): string[] {
  return [...flatRelatives(g, taskId, true)].flatMap((id) => (isSetup(g, id) ? [id, ...directTeardowns(g, id, taskId)] : [id]));
}

/**
 * Airflow's get_upstreams_only_setups_and_teardowns: the upstream setups that matter to the task (one
 * with no teardown, or whose teardown is downstream of the task), with their teardowns.
 */
function upstreamsOnlySetupsAndTeardowns(g: Graph, taskId: string): string[] {
  const downstreamTeardowns = new Set([...flatRelatives(g, taskId, false)].filter((id) => isTeardown(g, id)));
  return [...flatRelatives(g, taskId, true)].flatMap((id) => {
    if (!isSetup(g, id)) return [];
    const downs = g.downstreamOf.get(id) ?? [];
    const relevant = !downs.some((down) => isTeardown(g, down)) || downs.some((down) => downstreamTeardowns.has(down));
    return relevant ? [id, ...directTeardowns(g, id, taskId)] : [];
  });
}

/**
 * The tasks a clear of `taskIds` touches beyond the tasks themselves and their plain relatives:
 * their setups and teardowns (Airflow's partial_subset `also_include` for setup/teardown).
 */
export function setupAndTeardownRelatives(
  dag: SerializedDag,
  taskIds: Iterable<string>,
  options: { upstream: boolean; downstream: boolean },
): Set<string> {
  const g = graphOf(dag);
  const matched = new Set([...taskIds].filter((id) => g.byId.has(id)));
  const also = new Set<string>();
  const add = (ids: Iterable<string>) => {
    for (const id of ids) also.add(id);
  };
  for (const taskId of matched) {
    if (options.downstream) {
      for (const rel of flatRelatives(g, taskId, false)) {
        also.add(rel);
        if (!matched.has(rel) && !isSetup(g, rel) && !isTeardown(g, rel)) add(upstreamsOnlySetupsAndTeardowns(g, rel));
      }
    }
    if (options.upstream) add(upstreamsFollowSetups(g, taskId));
    else if (!isSetup(g, taskId) && !isTeardown(g, taskId)) add(upstreamsOnlySetupsAndTeardowns(g, taskId));
    if (isSetup(g, taskId) && !options.downstream) add(directTeardowns(g, taskId, ''));
  }
  return also;
}
