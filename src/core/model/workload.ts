import { LOG_PREFIX } from './bucket-layout.ts';
import type { TaskAttemptKey } from './keys.ts';

/**
 * What an executor hands to a worker: everything needed to run one attempt, and nothing that grants
 * access to the metastore. The token authorises Execution API calls for this attempt only.
 */
export interface ExecuteTaskWorkload {
  kind: 'ExecuteTask';
  ti: TaskAttemptKey;
  /** The DAG version the run started with. */
  versionId: string;
  /** Object-store key of that version's bundled JavaScript. */
  bundleKey: string;
  /** Object-store key the attempt's log is written to. */
  logKey: string;
  token: string;
  /** When the scheduler queued it (ISO), for queue-latency metrics. */
  queuedAt: string;
  /**
   * Set on a delayed delivery of a rescheduled try (sent while the instance is still up_for_reschedule):
   * the reschedule date it was sent for (ISO). The start gate accepts it only while that date is current.
   */
  rescheduleDate?: string;
}

/** What a DAG-run callback is about: the run ended (success or failed) or missed its deadline. */
export type DagCallbackEvent = 'success' | 'failure' | 'deadline';

/**
 * What the scheduler hands to a worker to run a DAG's own callbacks (its `onSuccess`/`onFailure`, or
 * its deadline's callback), or a task's deadline callback (`task` set), from the DAG bundle: Airflow's DagCallbackRequest. The scheduler never
 * imports user code, so it sends the facts the callback's context needs; the token (scoped to the run,
 * with a task id no task can have) lets the callback read variables and connections through the
 * Execution API, and nothing else of the metastore.
 */
export interface RunDagCallbackWorkload {
  kind: 'RunDagCallback';
  dagId: string;
  runId: string;
  versionId: string;
  bundleKey: string;
  event: DagCallbackEvent;
  /** Why: `success`, `task_failure`, `all_tasks_deadlocked`, `deadline_missed`... */
  reason: string;
  token: string;
  run: DagCallbackRunFacts;
  /** For `deadline`: when it was due (ISO). */
  deadlineAt?: string;
  /** For a task's `deadline`: the task instance that missed it (absent: the run's own deadline or end). */
  task?: DagCallbackTaskFacts;
  /** When the scheduler sent it (ISO). */
  sentAt: string;
}

/** The task instance of a task-level deadline alert, as the scheduler's mark left it. */
export interface DagCallbackTaskFacts {
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  state: string;
}

/** The run as the callback's context shows it; instants are ISO strings, null where unknown. */
export interface DagCallbackRunFacts {
  state: string;
  runType: string;
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  queuedAt: string;
  startDate: string | null;
  endDate: string | null;
  conf: Record<string, unknown>;
}

/** Every kind of workload a worker may receive. */
export type Workload = ExecuteTaskWorkload | RunDagCallbackWorkload;

/** The task id in a DAG callback's token: not a valid task id, so it can act on no task instance. */
export const DAG_CALLBACK_TOKEN_TASK_ID = '<dag-callback>';

/** `logs/dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log`, as the issue tracker and docs promise. */
export function taskLogKey(ti: TaskAttemptKey): string {
  const map = ti.mapIndex >= 0 ? `/map_index=${ti.mapIndex}` : '';
  return `${LOG_PREFIX}dag_id=${ti.dagId}/run_id=${ti.runId}/task_id=${ti.taskId}${map}/attempt=${ti.tryNumber}.log`;
}

/**
 * Where an executor that runs attempts in processes it owns keeps their output (the container entry's
 * own lines, not the task's): next to the task log, shown after it by `updraft tasks logs`.
 */
export function executorLogKey(ti: TaskAttemptKey): string {
  return taskLogKey(ti).replace(/\.log$/, '.executor.log');
}
