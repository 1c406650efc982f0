import type { DagRunStatesResponse } from '../../http/execution-api-client.ts';
import type { TriggerOutcome } from './trigger-outcome.ts';

/**
 * The decision of an `external_run` trigger on the other run's states (Airflow's WorkflowTrigger): with
 * task ids, fired once every listed task is in an allowed state and failed once any is in a failed
 * state; without, the same on the run's own state. No run yet means "not yet". `stopStates` (what a
 * deferrable externalTaskSensor's failed and skipped states become) fire the trigger as soon as any
 * listed task, or the run, reaches one, so the resumed sensor decides what that state means.
 */
export function decideExternalRun(kwargs: Record<string, unknown>, states: DagRunStatesResponse): TriggerOutcome {
  const allowed = new Set(asStrings(kwargs.allowedStates, ['success']));
  const failed = new Set(asStrings(kwargs.failedStates, []));
  const stop = new Set(asStrings(kwargs.stopStates, []));
  const taskIds = asStrings(kwargs.taskIds, []);
  const dagId = String(kwargs.dagId);
  const where = `DAG "${dagId}" at ${String(kwargs.logicalDate)}`;
  if (!states.dagRun) return { kind: 'waiting', why: `${where} has no run yet` };
  const event = { dagRun: states.dagRun, taskInstances: states.taskInstances };
  if (taskIds.length === 0) {
    if (failed.has(states.dagRun.state)) return { kind: 'failed', error: `The run of ${where} is ${states.dagRun.state}.` };
    if (stop.has(states.dagRun.state) || allowed.has(states.dagRun.state)) return { kind: 'fired', payload: { state: states.dagRun.state, ...event } };
    return { kind: 'waiting', why: `the run of ${where} is ${states.dagRun.state}` };
  }
  const byTask = new Map<string, string[]>();
  for (const ti of states.taskInstances) byTask.set(ti.taskId, [...(byTask.get(ti.taskId) ?? []), ti.state]);
  const failedTask = taskIds.find((taskId) => (byTask.get(taskId) ?? []).some((state) => failed.has(state)));
  if (failedTask) return { kind: 'failed', error: `Task "${failedTask}" of ${where} is in a failed state (${[...failed].join(', ')}).` };
  const stopState = taskIds.flatMap((taskId) => byTask.get(taskId) ?? []).find((state) => stop.has(state));
  if (stopState !== undefined) return { kind: 'fired', payload: { state: stopState, ...event } };
  const done = taskIds.every((taskId) => {
    const taskStates = byTask.get(taskId) ?? [];
    return taskStates.length > 0 && taskStates.every((state) => allowed.has(state));
  });
  if (done) return { kind: 'fired', payload: { state: [...allowed][0] ?? 'success', ...event } };
  return { kind: 'waiting', why: `tasks ${taskIds.join(', ')} of ${where} are not all in ${[...allowed].join(', ')} yet` };
}

function asStrings(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : fallback;
}
