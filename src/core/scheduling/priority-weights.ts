import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import type { WeightRule } from '../../sdk/weight-rules.ts';

/** Airflow keeps weights in a 32-bit column and clamps sums into it (`db_safe_priority`); so do we. */
export const MIN_PRIORITY_WEIGHT = -2_147_483_648;
export const MAX_PRIORITY_WEIGHT = 2_147_483_647;

export function weightRuleOf(task: Pick<SerializedTask, 'weightRule'>): WeightRule {
  return task.weightRule ?? 'downstream';
}

// A DAG version never changes, so its weights are computed once per serialized object.
const computed = new WeakMap<SerializedDag, ReadonlyMap<string, number>>();

/**
 * The weight the scheduler orders each task of the DAG by (Airflow's `priority_weight_total`):
 * `downstream` adds every task reachable downstream, `upstream` every task reachable upstream, each
 * counted once however many paths lead to it (a diamond's join is added once); `absolute` is the
 * task's own `priorityWeight`.
 */
export function effectivePriorityWeights(dag: SerializedDag): ReadonlyMap<string, number> {
  const known = computed.get(dag);
  if (known) return known;
  const weights = computeWeights(dag);
  computed.set(dag, weights);
  return weights;
}

/** One task's effective weight; a task the DAG does not have falls back to 1 (Airflow's default weight). */
export function effectivePriorityWeight(dag: SerializedDag, taskId: string): number {
  return effectivePriorityWeights(dag).get(taskId) ?? 1;
}

function computeWeights(dag: SerializedDag): Map<string, number> {
  const own = new Map(dag.tasks.map((task) => [task.taskId, task.priorityWeight]));
  const rules = dag.tasks.map(weightRuleOf);
  const ancestors = rules.includes('upstream') ? reachable(dag, 'upstream', own) : null;
  const descendants = rules.includes('downstream') ? reachable(dag, 'downstream', own) : null;
  const weights = new Map<string, number>();
  dag.tasks.forEach((task, index) => {
    const rule = rules[index]!;
    const others = rule === 'upstream' ? ancestors!.get(task.taskId)! : rule === 'downstream' ? descendants!.get(task.taskId)! : [];
    let total = task.priorityWeight;
    for (const id of others) total += own.get(id)!;
    weights.set(task.taskId, clamp(total));
  });
  return weights;
}

/**
 * Every task reachable from each task in one direction. `dag.tasks` is topologically ordered, so
 * walking it backwards (downstream) or forwards (upstream) sees a task's neighbours' sets first.
 * Upstream ids the DAG does not hold are ignored.
 */
function reachable(dag: SerializedDag, direction: WeightRule, own: ReadonlyMap<string, number>): Map<string, Set<string>> {
  const neighbours = new Map<string, string[]>(dag.tasks.map((task) => [task.taskId, []]));
  for (const task of dag.tasks) {
    for (const up of task.upstreamTaskIds) {
      if (!own.has(up)) continue;
      if (direction === 'downstream') neighbours.get(up)!.push(task.taskId);
      else neighbours.get(task.taskId)!.push(up);
    }
  }
  const order = direction === 'downstream' ? [...dag.tasks].reverse() : dag.tasks;
  const sets = new Map<string, Set<string>>();
  for (const task of order) {
    const set = new Set<string>();
    for (const next of neighbours.get(task.taskId)!) {
      set.add(next);
      for (const id of sets.get(next) ?? []) set.add(id);
    }
    sets.set(task.taskId, set);
  }
  return sets;
}

function clamp(weight: number): number {
  return Math.min(MAX_PRIORITY_WEIGHT, Math.max(MIN_PRIORITY_WEIGHT, weight));
}
