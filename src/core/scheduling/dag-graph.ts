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
export function evaluateTask(task: SerializedTask, index: TaskInstanceIndex): TriggerRuleOutcome {
  const states = task.upstreamTaskIds.map((id) => index.get(id)?.state ?? 'none');
  // The serialized model has no setup/teardown tasks yet, so no upstream is a setup.
  return evaluateTriggerRule(task.triggerRule, summarizeUpstream(states));
}

/** Ids of tasks with no downstream: the tasks whose states decide the run's state. */
export function leafTaskIds(dag: SerializedDag): Set<string> {
  const withDownstream = new Set<string>();
  for (const task of dag.tasks) for (const up of task.upstreamTaskIds) withDownstream.add(up);
  return new Set(dag.tasks.filter((t) => !withDownstream.has(t.taskId)).map((t) => t.taskId));
}
