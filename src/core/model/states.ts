import { EXTERNAL_DAG_RUN_STATES, EXTERNAL_TASK_STATES } from '../../sdk/sensors/external-task-sensor.ts';

/**
 * Task instance and DAG run states, named and valued exactly as Airflow 3 names them, so that the
 * REST API and the CLI speak Airflow's vocabulary. The SDK owns the lists (external task sensors name
 * them, and DAG files import nothing else of Updraft's).
 */

export const TASK_INSTANCE_STATES = EXTERNAL_TASK_STATES;

/** `none` stands for Airflow's `null` state: the task instance exists but nothing has decided about it yet. */
export type TaskInstanceState = (typeof TASK_INSTANCE_STATES)[number];

/** States after which a task instance never runs again unless it is cleared. */
export const FINISHED_TASK_STATES: ReadonlySet<TaskInstanceState> = new Set([
  'success',
  'failed',
  'skipped',
  'upstream_failed',
  'removed',
]);

/** How an attempt that ran to its end leaves the task instance: what the fast path schedules after. */
export const TERMINAL_ATTEMPT_STATES = ['success', 'failed', 'skipped', 'up_for_retry'] as const;
export type TerminalAttemptState = (typeof TERMINAL_ATTEMPT_STATES)[number];

/**
 * Every state an attempt may end in through the Execution API's finish call: the terminal ones, plus the
 * two in which the same try continues later without holding a worker (`up_for_reschedule`: a sensor in
 * reschedule mode; `deferred`: waiting for a trigger).
 */
export const ATTEMPT_END_STATES = [...TERMINAL_ATTEMPT_STATES, 'up_for_reschedule', 'deferred'] as const;
export type AttemptEndState = (typeof ATTEMPT_END_STATES)[number];

export function isTerminalAttemptState(state: AttemptEndState): state is TerminalAttemptState {
  return (TERMINAL_ATTEMPT_STATES as readonly string[]).includes(state);
}

export const DAG_RUN_STATES = EXTERNAL_DAG_RUN_STATES;
export type DagRunState = (typeof DAG_RUN_STATES)[number];

export const FINISHED_DAG_RUN_STATES: ReadonlySet<DagRunState> = new Set(['success', 'failed']);

export const DAG_RUN_TYPES = ['scheduled', 'manual', 'backfill', 'asset_triggered'] as const;
export type DagRunType = (typeof DAG_RUN_TYPES)[number];
