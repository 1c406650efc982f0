import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag } from '../model/serialized-dag.ts';
import { FINISHED_TASK_STATES } from '../model/states.ts';
import { runStateLeafTaskIds } from './dag-graph.ts';
import { RunInstances } from './run-instances.ts';
import { isMappedTask, taskMap } from './mapping.ts';

export type DecidedRunState = 'running' | 'success' | 'failed';

export interface RunStateDecision {
  state: DecidedRunState;
  /** Why, in Airflow's callback vocabulary: `success`, `task_failure`, `all_tasks_deadlocked`. */
  reason: 'success' | 'task_failure' | 'all_tasks_deadlocked' | null;
}

/**
 * Airflow's `DagRun.update_state`: once every task instance is finished, the run failed if a leaf
 * failed or is upstream_failed, and succeeded if every leaf succeeded or was skipped. A run whose
 * unfinished task instances can never be scheduled (none in flight, none ready) is deadlocked: failed.
 *
 * Call it after planning has been applied: a `none` instance that planning would move is not stuck.
 */
export function decideDagRunState(dag: SerializedDag, tis: readonly TaskInstanceRecord[]): DecidedRunState {
  return explainDagRunState(dag, tis).state;
}

export function explainDagRunState(dag: SerializedDag, tis: readonly TaskInstanceRecord[]): RunStateDecision {
  const taskIds = new Set(dag.tasks.map((t) => t.taskId));
  const relevant = tis.filter((ti) => taskIds.has(ti.taskId));
  const unfinished = relevant.filter((ti) => !FINISHED_TASK_STATES.has(ti.state));
  // A task of the DAG without an instance has not been created yet: it is unfinished work.
  const missing = dag.tasks.some((t) => !relevant.some((ti) => ti.taskId === t.taskId));

  if (unfinished.length === 0 && !missing) {
    // Teardowns do not decide the run unless onFailureFailDagrun (Airflow's effective leaves).
    const leaves = runStateLeafTaskIds(dag);
    const leafTis = relevant.filter((ti) => leaves.has(ti.taskId) && ti.state !== 'removed');
    if (leafTis.some((ti) => ti.state === 'failed' || ti.state === 'upstream_failed')) {
      return { state: 'failed', reason: 'task_failure' };
    }
    if (leafTis.every((ti) => ti.state === 'success' || ti.state === 'skipped')) {
      return { state: 'success', reason: 'success' };
    }
    return { state: 'running', reason: null };
  }

  if (!missing && isDeadlocked(dag, relevant, unfinished)) {
    return { state: 'failed', reason: 'all_tasks_deadlocked' };
  }
  return { state: 'running', reason: null };
}

/**
 * Deadlocked: nothing is in flight (scheduled, queued, running, waiting for a retry...) and every
 * instance that has not started is still waiting on its trigger rule with nothing left to change it.
 */
function isDeadlocked(
  dag: SerializedDag,
  tis: readonly TaskInstanceRecord[],
  unfinished: readonly TaskInstanceRecord[],
): boolean {
  if (unfinished.some((ti) => ti.state !== 'none')) return false;
  const index = new RunInstances(dag, tis);
  const tasks = taskMap(dag);
  return unfinished.every((ti) => {
    const task = tasks.get(ti.taskId);
    if (task === undefined) return false;
    // A mapped task's placeholder or its not-yet-planned instances: planning decides them from the
    // upstreams' ends, so they are stuck only while an upstream is, which the other instances show.
    if (isMappedTask(task) && (ti.mapIndex < 0 || !index.isExpanded(task.taskId))) return upstreamsUnfinished(index, task.upstreamTaskIds);
    return index.evaluate(task, ti) === 'waiting';
  });
}

/** Whether some upstream has not ended (or has no instance yet); false for a task without upstreams. */
function upstreamsUnfinished(index: RunInstances, upstreamIds: readonly string[]): boolean {
  return upstreamIds.some((id) => {
    const effective = index.effective(id);
    return effective.length === 0 || effective.some((ti) => !FINISHED_TASK_STATES.has(ti.state));
  });
}
