import type { DagRunKey, TaskInstanceKey } from './keys.ts';
import type { SerializedDag, SerializedTask } from './serialized-dag.ts';
import type { DagRunState, DagRunType, TaskInstanceState } from './states.ts';

/**
 * Records the metastore keeps. Instants are `Date`s here; adapters convert at their boundary.
 * Field names are camelCase; the REST API maps them to Airflow's snake_case.
 */

export interface DataInterval {
  start: Date;
  end: Date;
}

/** One DAG, as the DAG processor last saw it, plus the scheduler's bookkeeping for it. */
export interface DagRecord {
  dagId: string;
  fileloc: string;
  isActive: boolean;
  isPaused: boolean;
  /** The version the next run will use. */
  latestVersionId: string;
  description: string | null;
  tags: string[];
  scheduleDescription: string | null;
  maxActiveRuns: number;
  /** The data interval of the latest scheduled (not manual) run the scheduler created, if any. */
  lastAutomatedDataInterval: DataInterval | null;
  /** When the scheduler may next create a scheduled run (null: nothing more to schedule). */
  nextDagRunCreateAfter: Date | null;
  lastParsedAt: Date;
}

/** An immutable DAG version: its id is a content hash of the serialized DAG. */
export interface DagVersionRecord {
  dagId: string;
  versionId: string;
  serialized: SerializedDag;
  /** Object-store key of the bundled JavaScript that the task runner imports for this version. */
  bundleKey: string;
  createdAt: Date;
}

/** A DAG file's parse result; `dagIds` lets a re-parse or deletion deactivate DAGs that disappeared. */
export interface DagFileRecord {
  fileloc: string;
  contentHash: string;
  dagIds: string[];
  lastParsedAt: Date;
}

export interface ImportErrorRecord {
  fileloc: string;
  message: string;
  /** 1-based line in the DAG file where it is known. */
  line: number | null;
  timestamp: Date;
}

export interface DagRunRecord extends DagRunKey {
  state: DagRunState;
  runType: DagRunType;
  logicalDate: Date;
  dataInterval: DataInterval;
  runAfter: Date;
  versionId: string;
  conf: Record<string, unknown>;
  queuedAt: Date;
  startDate: Date | null;
  endDate: Date | null;
  /** Optimistic-lock counter, bumped on every write. */
  revision: number;
  /** When the scheduler sent the run's deadline alert; absent until then (the alert is sent once). */
  deadlineAlertedAt?: Date;
}

export interface TaskInstanceRecord extends TaskInstanceKey {
  state: TaskInstanceState;
  /** The attempt the instance is on (or last ran): 0 before the first attempt is queued. */
  tryNumber: number;
  /** retries + 1 at the time the run was created (Airflow's max_tries semantics). */
  maxTries: number;
  operator: string;
  executor: string | null;
  pool: string;
  /** The task's effective weight (its weight rule applied) when the instance was created (Airflow's priority_weight). */
  priorityWeight: number;
  queuedAt: Date | null;
  startDate: Date | null;
  endDate: Date | null;
  /** Last heartbeat of the running attempt. */
  lastHeartbeatAt: Date | null;
  /** For up_for_retry: when the scheduler may queue the next attempt. */
  nextRetryAt: Date | null;
  /** For up_for_reschedule: when the scheduler may queue the same try again (Airflow's reschedule_date). */
  rescheduleDate: Date | null;
  /**
   * When the try first poked before it was rescheduled (Airflow's first TaskReschedule start date): a
   * sensor's timeout counts from it. Kept across the try's reschedules, reset by a new try.
   */
  firstRescheduleDate: Date | null;
  /** For deferred: the trigger the attempt waits for (Airflow keeps it in the trigger table). */
  trigger: TriggerSpec | null;
  /** For deferred: when the wait gives up and the attempt fails (Airflow's trigger_timeout). */
  triggerTimeout: Date | null;
  /**
   * The method a resumed attempt continues in, and its arguments (Airflow's next_method / next_kwargs).
   * Set while deferred and kept until the resumed attempt ends; a start answer hands them to the runner.
   */
  nextMethod: string | null;
  nextKwargs: Record<string, unknown> | null;
  /** The worker that holds the running attempt (its start call set this). */
  workerId: string | null;
  /** Whatever the executor identifies the attempt by (SQS message id, ECS task ARN). */
  externalExecutorId: string | null;
  /**
   * When the scheduler sent the task's deadline alert; absent (or null) until then. Not an attempt
   * field: an instance alerts once across its tries, and a clear (null) lets it alert again. The store
   * sets it only where it is absent, so two ticks alert an instance once.
   */
  deadlineAlertedAt?: Date | null;
}

/**
 * What a deferred attempt waits for: a trigger kind the triggerer knows (a built-in such as
 * `datetime`, or a custom trigger's registered name) and its arguments, all JSON.
 */
export interface TriggerSpec {
  kind: string;
  kwargs: Record<string, unknown>;
}

/**
 * An asset event: a task announced that it updated an asset (Airflow's AssetEvent). Runs of DAGs
 * scheduled on the asset are created from these.
 */
export interface AssetEventRecord {
  assetUri: string;
  /** Free-form JSON the producer attached (row counts, a partition, the S3 version id...). */
  extra: Record<string, unknown>;
  timestamp: Date;
  /** The attempt that emitted it (null for events posted from outside, e.g. S3 notifications). */
  source: (TaskInstanceKey & { tryNumber: number }) | null;
  /** Unique per event; derived from the source and position so a repeated report writes it once. */
  eventId: string;
}

/** How long the last attempt ran, derived from its dates (never stored, so it cannot disagree with them). */
export function taskInstanceDurationSeconds(ti: Pick<TaskInstanceRecord, 'startDate' | 'endDate'>): number | null {
  if (!ti.startDate || !ti.endDate) return null;
  return Math.max(0, (ti.endDate.getTime() - ti.startDate.getTime()) / 1000);
}

export interface XComRecord extends TaskInstanceKey {
  key: string;
  /** The JSON value, or null when the value lives in the object store. */
  value: unknown;
  /** Object-store key holding the JSON value when it is larger than the inline limit. */
  objectKey: string | null;
  timestamp: Date;
}

/** The fields an attempt fills in as it is queued, runs, waits and ends. */
export type AttemptFields = Pick<
  TaskInstanceRecord,
  | 'queuedAt'
  | 'startDate'
  | 'endDate'
  | 'lastHeartbeatAt'
  | 'nextRetryAt'
  | 'rescheduleDate'
  | 'firstRescheduleDate'
  | 'trigger'
  | 'triggerTimeout'
  | 'nextMethod'
  | 'nextKwargs'
  | 'workerId'
  | 'externalExecutorId'
>;

/**
 * No attempt's traces: how a new task instance starts and what a clear puts back, kept in one place so
 * a field added to the attempt is reset by both.
 */
export function noAttemptFields(): AttemptFields {
  return {
    queuedAt: null,
    startDate: null,
    endDate: null,
    lastHeartbeatAt: null,
    nextRetryAt: null,
    rescheduleDate: null,
    firstRescheduleDate: null,
    trigger: null,
    triggerTimeout: null,
    nextMethod: null,
    nextKwargs: null,
    workerId: null,
    externalExecutorId: null,
  };
}

/**
 * A task's instance in a run before anything has decided about it (Airflow's null state).
 * `priorityWeight` is the task's effective weight (`effectivePriorityWeight` in core/scheduling, its
 * weight rule applied); without it the task's own weight is used, which is right only for `absolute`.
 */
export function newTaskInstance(run: DagRunKey, task: SerializedTask, priorityWeight: number = task.priorityWeight): TaskInstanceRecord {
  return {
    dagId: run.dagId,
    runId: run.runId,
    taskId: task.taskId,
    mapIndex: -1,
    state: 'none',
    tryNumber: 0,
    maxTries: task.retries + 1,
    operator: task.operator,
    executor: task.executor,
    pool: task.pool,
    priorityWeight,
    ...noAttemptFields(),
  };
}
