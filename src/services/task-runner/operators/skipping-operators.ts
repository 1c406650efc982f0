import type { ExecutionApiClient } from '../../../http/execution-api-client.ts';
import type { TaskAttemptKey } from '../../../core/model/keys.ts';
import type { Dag, TaskDefinition, TaskFunction } from '../../../sdk/index.ts';
import type { AttemptInfo } from '../attempt-info.ts';
import type { TaskLog } from '../task-log.ts';
import { branchDecision, latestOnlyDecision, shortCircuitDecision } from './branching.ts';
import { TaskNotFoundError } from '../errors.ts';

/** The operators that decide which downstream tasks to skip. */
export type SkippingTask = Extract<TaskDefinition, { operator: 'branch' | 'short_circuit' | 'latest_only' }>;

export interface SkippingRuntime {
  /** The DAG of the bundle (the operators look at the task's downstream tasks and groups). */
  dag: Dag | undefined;
  info: AttemptInfo;
  log: TaskLog;
  now: () => Date;
  /** Runs the user function with the task's context and arguments, as a TaskFlow task. */
  call: (fn: TaskFunction) => Promise<unknown>;
}

/** The operator's result: its return value (pushed as XCom) and the tasks to skip before it succeeds. */
export async function runSkippingOperator(
  task: SkippingTask,
  runtime: SkippingRuntime,
): Promise<{ kind: 'success'; returnValue: unknown; skipDownstream: string[] }> {
  const { dag, log } = runtime;
  if (!dag) throw new TaskNotFoundError(`Task "${task.taskId}" needs its DAG to decide which downstream tasks to skip, and the runner was not given it.`);
  if (task.operator === 'latest_only') {
    const decision = latestOnlyDecision(dag, task.taskId, runtime.info, runtime.now());
    log.info(decision.message);
    return { kind: 'success', returnValue: undefined, skipDownstream: decision.skip };
  }
  const returned = await runtime.call(task.fn);
  const decision =
    task.operator === 'branch'
      ? branchDecision(dag, task.taskId, returned)
      : shortCircuitDecision(dag, task.taskId, returned, task.ignoreDownstreamTriggerRules);
  log.info(decision.message);
  return { kind: 'success', returnValue: returned, skipDownstream: decision.skip };
}

/**
 * Marks the tasks skipped through the Execution API, before the attempt reports success (Airflow's
 * DownstreamTasksSkipped → skip-downstream). Instances that had already started are left alone.
 */
export async function sendSkips(client: Pick<ExecutionApiClient, 'skipDownstream'>, ti: TaskAttemptKey, taskIds: readonly string[], log: TaskLog): Promise<void> {
  if (taskIds.length === 0) return;
  const answer = await client.skipDownstream(ti, taskIds);
  if (answer.unchanged.length > 0) {
    log.warn(`Left as they are (already started or finished): ${answer.unchanged.map((u) => `"${u.taskId}" (${u.state})`).join(', ')}.`);
  }
}
