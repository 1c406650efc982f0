/**
 * Task instance and DAG run states, named and valued exactly as Airflow 3 names them, so that the
 * REST API and the CLI speak Airflow's vocabulary.
 */

export const TASK_INSTANCE_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'restarting',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'upstream_failed',
  'skipped',
  'deferred',
  'removed',
] as const;

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

/** Final states a worker may report when an attempt ends (the Execution API's finish call). */
export const TERMINAL_ATTEMPT_STATES = ['success', 'failed', 'skipped', 'up_for_retry'] as const;
export type TerminalAttemptState = (typeof TERMINAL_ATTEMPT_STATES)[number];

export const DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export type DagRunState = (typeof DAG_RUN_STATES)[number];

export const FINISHED_DAG_RUN_STATES: ReadonlySet<DagRunState> = new Set(['success', 'failed']);

export const DAG_RUN_TYPES = ['scheduled', 'manual', 'backfill', 'asset_triggered'] as const;
export type DagRunType = (typeof DAG_RUN_TYPES)[number];
