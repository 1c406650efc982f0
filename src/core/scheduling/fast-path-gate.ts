import type { SerializedDag } from '../model/serialized-dag.ts';
import type { TriggerRule } from '../model/trigger-rules.ts';
import { isMappedTask, taskMap } from './mapping.ts';

/**
 * Rules whose decision one upstream success can settle before every upstream is done: one_success and
 * one_done become ready, all_failed and all_skipped become skipped (Airflow's flag_upstream_failed).
 */
const SETTLED_BY_ONE_SUCCESS: ReadonlySet<TriggerRule> = new Set(['one_success', 'one_done', 'all_failed', 'all_skipped']);

/** Operators that mark downstream task instances skipped through the Execution API before they finish. */
const SKIPPING_OPERATORS: ReadonlySet<string> = new Set(['branch', 'short_circuit', 'latest_only']);

const belowSkipping = new WeakMap<SerializedDag, ReadonlySet<string>>();

/** Tasks downstream (transitively) of a branch, short circuit or latest only; computed once per DAG object. */
function belowSkippingOperator(dag: SerializedDag): ReadonlySet<string> {
  let below = belowSkipping.get(dag);
  if (!below) {
    const found = new Set<string>();
    const skipping = new Set(dag.tasks.filter((task) => SKIPPING_OPERATORS.has(task.operator)).map((task) => task.taskId));
    // Tasks come in topological order, so one pass sees every upstream first.
    for (const task of dag.tasks) {
      if (task.upstreamTaskIds.some((up) => found.has(up) || skipping.has(up))) {
        found.add(task.taskId);
      }
    }
    below = found;
    belowSkipping.set(dag, below);
  }
  return below;
}

export interface FastPathGate {
  /** A scheduling pass is worth running now, whatever the counts say. */
  passNow: boolean;
  /**
   * Otherwise, downstream tasks to count the success against: a pass is worth running once one of
   * them has seen `needed` distinct upstream successes.
   */
  counted: Array<{ taskId: string; needed: number }>;
}

/**
 * Decides, after a task succeeded on a worker, whether its run needs a scheduling pass now. A pass
 * lists every task instance of the run, so in a wide fan-in most of them change nothing; this lets the
 * fast path skip those and run the one that makes the join ready.
 *
 * Only upstreams that run on workers are counted: an `empty` upstream succeeds inside a pass, and that
 * pass already evaluates its downstream tasks.
 */
export function fastPathGateAfterSuccess(dag: SerializedDag, taskId: string): FastPathGate {
  const operators = new Map(dag.tasks.map((task) => [task.taskId, task.operator]));
  // A branching task skipped downstream instances before it succeeded: those skips must cascade now.
  if (SKIPPING_OPERATORS.has(operators.get(taskId) ?? '')) return { passNow: true, counted: [] };
  const downstream = dag.tasks.filter((task) => task.upstreamTaskIds.includes(taskId));
  // A leaf's success may finish the run.
  if (downstream.length === 0) return { passNow: true, counted: [] };
  const counted: FastPathGate['counted'] = [];
  for (const task of downstream) {
    const needed = task.upstreamTaskIds.filter((upstream) => operators.get(upstream) !== 'empty').length;
    if (needed <= 1 || SETTLED_BY_ONE_SUCCESS.has(task.triggerRule)) return { passNow: true, counted: [] };
    // Mapped tasks expand (and mapped upstreams finish) per instance: successes counted by task id say nothing.
    const tasks = taskMap(dag);
    if (isMappedTask(task) || task.upstreamTaskIds.some((up) => isMappedTask(tasks.get(up) ?? {}))) return { passNow: true, counted: [] };
    // Below a branch some upstreams end skipped, and only successes are counted: the count never fills.
    if (belowSkippingOperator(dag).has(task.taskId)) return { passNow: true, counted: [] };
    counted.push({ taskId: task.taskId, needed });
  }
  return { passNow: false, counted };
}
