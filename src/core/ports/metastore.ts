import type { Connection } from '../model/connection.ts';
import type { DagRunKey, TaskInstanceKey } from '../model/keys.ts';
import type {
  AssetEventRecord,
  DagFileRecord,
  DagRecord,
  DagRunRecord,
  DagVersionRecord,
  ImportErrorRecord,
  TaskInstanceRecord,
  XComRecord,
} from '../model/records.ts';
import type { DagRunState, DagRunType, TaskInstanceState } from '../model/states.ts';

/**
 * The metastore port. DynamoDB implements it in AWS and locally (DynamoDB Local); nothing else may
 * read or write orchestration state.
 *
 * Rules every implementation keeps:
 * - Every state change is a conditional write. A write whose condition fails throws
 *   `ConflictError` (from `core/errors`) whose `current` is the record as stored now (or null if gone).
 * - Writes that create things are idempotent where the issue says so (`createDagRun`,
 *   `createTaskInstances`): creating what exists is not an error for the caller to handle.
 * - Reads are strongly consistent where a caller decides on them (runs, task instances).
 */

/** Conditions on a task instance write; every given field must match the stored record. */
export interface TaskInstanceCondition {
  state?: TaskInstanceState | readonly TaskInstanceState[];
  tryNumber?: number;
  /** `null` requires that no worker holds it. */
  workerId?: string | null;
  /** The up_for_reschedule date it must still have (a delayed delivery of that reschedule starts it). */
  rescheduleDate?: Date;
  /** `null` requires that no deadline alert was recorded yet (two ticks never both alert an instance). */
  deadlineAlertedAt?: null;
}

export type TaskInstanceChanges = Partial<Omit<TaskInstanceRecord, keyof TaskInstanceKey>>;

export interface DagRunCondition {
  state?: DagRunState | readonly DagRunState[];
}

/** `runType` changes only when a backfill takes over an existing run to run it again (Airflow does the same). */
export type DagRunChanges = Partial<Pick<DagRunRecord, 'state' | 'startDate' | 'endDate' | 'conf' | 'queuedAt' | 'runType'>>;

/** An inclusive range of instants; an absent bound is open. */
export interface InstantRange {
  gte?: Date;
  lte?: Date;
}

/** Filters of a DAG run search (the REST API's get_dag_runs); every given filter must match. */
export interface DagRunSearch {
  states?: readonly DagRunState[];
  runTypes?: readonly DagRunType[];
  logicalDate?: InstantRange;
  startDate?: InstantRange;
  endDate?: InstantRange;
  runAfter?: InstantRange;
}

/** Filters of `listDagRuns`; every given filter must match. */
export interface DagRunListOptions {
  limit?: number;
  states?: readonly DagRunState[];
  /** Only runs of these types. */
  runTypes?: readonly DagRunType[];
  /** Only runs with a logical date strictly before this one (with `limit: 1`: the previous run). */
  logicalDateBefore?: Date;
}

/** A run with the note a person wrote about it (Airflow's DagRunNote), which the run record does not carry. */
export interface DagRunWithNote {
  run: DagRunRecord;
  note: string | null;
}

/** What the DAG processor writes for one DAG it parsed. */
export interface ParsedDag {
  dag: Omit<DagRecord, 'isPaused' | 'lastAutomatedDataInterval' | 'nextDagRunCreateAfter'>;
  version: DagVersionRecord;
  /** Used only when the DAG is new: whether it starts paused (config `dags_are_paused_at_creation`). */
  pausedAtCreation: boolean;
  /** Used when the DAG is new or its schedule changed: when the scheduler should first look at it. */
  nextDagRunCreateAfter: Date | null;
}

export interface DagStore {
  /** All DAGs, active and not, ordered by dag id. */
  listDags(): Promise<DagRecord[]>;
  getDag(dagId: string): Promise<DagRecord | null>;
  /**
   * Upserts a parsed DAG and its version. Keeps `isPaused` and the scheduler's bookkeeping of an
   * existing DAG; stores the version only if it does not exist (versions are immutable).
   */
  saveParsedDag(parsed: ParsedDag): Promise<void>;
  deactivateDags(dagIds: readonly string[]): Promise<void>;
  setDagPaused(dagId: string, isPaused: boolean): Promise<DagRecord>;
  /**
   * Records what the scheduler created. Conditional on the DAG's current `lastAutomatedDataInterval`
   * still being `expectedLast` (compared by start and end), so two schedulers cannot move it backwards.
   */
  updateDagSchedule(
    dagId: string,
    update: { lastAutomatedDataInterval: DagRecord['lastAutomatedDataInterval']; nextDagRunCreateAfter: Date | null },
    expectedLast: DagRecord['lastAutomatedDataInterval'],
  ): Promise<void>;
  getDagVersion(dagId: string, versionId: string): Promise<DagVersionRecord | null>;
  /**
   * Removes a DAG and everything recorded about it: its runs with their task instances and XComs, its
   * versions, and its file's parse record and import error (so the next parse of the file, which still
   * exists, records the DAG again). Returns false when the DAG did not exist. Not atomic, but safe to repeat.
   */
  deleteDag(dagId: string): Promise<boolean>;
}

export interface DagFileStore {
  getDagFile(fileloc: string): Promise<DagFileRecord | null>;
  putDagFile(file: DagFileRecord): Promise<void>;
  deleteDagFile(fileloc: string): Promise<void>;
  listImportErrors(): Promise<ImportErrorRecord[]>;
  putImportError(error: ImportErrorRecord): Promise<void>;
  /** No-op when there is none. */
  deleteImportError(fileloc: string): Promise<void>;
}

export interface DagRunStore {
  /** Creates the run unless a run with the same key exists. Returns whether this call created it. */
  createDagRun(run: DagRunRecord): Promise<boolean>;
  getDagRun(key: DagRunKey): Promise<DagRunRecord | null>;
  /** Newest first by logical date. */
  listDagRuns(dagId: string, options?: DagRunListOptions): Promise<DagRunRecord[]>;
  /** Every run in `queued` or `running`, across DAGs (an index keeps this cheap). */
  listActiveDagRuns(): Promise<DagRunRecord[]>;
  /** Conditional update; bumps `revision`; throws ConflictError when the condition fails. */
  updateDagRun(key: DagRunKey, changes: DagRunChanges, condition?: DagRunCondition): Promise<DagRunRecord>;
  /**
   * Marks that the run's deadline alert is sent, if the run is still queued or running and was not
   * marked yet; answers the marked run, or null when it was not marked (already alerted, ended, gone).
   */
  markDeadlineAlerted(key: DagRunKey, at: Date): Promise<DagRunRecord | null>;
  /** A DAG's runs matching every filter, newest logical date first (strongly consistent). */
  searchDagRuns(dagId: string, search?: DagRunSearch): Promise<DagRunWithNote[]>;
  getDagRunWithNote(key: DagRunKey): Promise<DagRunWithNote | null>;
  /** Sets (null: removes) a run's note; throws NotFoundError when the run does not exist. */
  setDagRunNote(key: DagRunKey, note: string | null): Promise<DagRunWithNote>;
  /** Removes a run with its task instances and XComs; returns false when the run did not exist. Safe to repeat. */
  deleteDagRun(key: DagRunKey): Promise<boolean>;
}

export interface TaskInstanceStore {
  /** Creates every instance that does not exist yet; existing ones are left as they are. */
  createTaskInstances(instances: readonly TaskInstanceRecord[]): Promise<void>;
  getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | null>;
  /** Every task instance of a run (strongly consistent). */
  listTaskInstances(run: DagRunKey): Promise<TaskInstanceRecord[]>;
  /**
   * Adds `upstreamTaskId` to the set of upstream tasks the instance has seen succeed, and returns how
   * many distinct ones the set holds (null when the instance does not exist). Idempotent: adding the same
   * upstream twice counts it once. The fast path uses the count only to skip passes that cannot change
   * anything; decisions are always made from task instance states.
   */
  recordSucceededUpstream(downstream: TaskInstanceKey, upstreamTaskId: string): Promise<number | null>;
  /**
   * Removes upstream tasks from that set (clearing an upstream makes its success void). Idempotent; a
   * missing instance or an upstream not in the set is not an error.
   */
  forgetSucceededUpstreams(downstream: TaskInstanceKey, upstreamTaskIds: readonly string[]): Promise<void>;
  /** Conditional update; throws ConflictError (with `current`) when the condition fails. */
  updateTaskInstance(
    key: TaskInstanceKey,
    changes: TaskInstanceChanges,
    condition?: TaskInstanceCondition,
  ): Promise<TaskInstanceRecord>;
}

export interface XComStore {
  putXCom(record: XComRecord): Promise<void>;
  getXCom(key: TaskInstanceKey, xcomKey: string): Promise<XComRecord | null>;
  listXComs(key: TaskInstanceKey): Promise<XComRecord[]>;
  /** A mapped task's XComs under `key`: those of its instances (map index >= 0) that pushed one, by map index. */
  listTaskXComs(run: DagRunKey, taskId: string, key: string): Promise<XComRecord[]>;
  /** Removes a task instance's XComs (done when a new attempt starts, as Airflow does). */
  deleteXComs(key: TaskInstanceKey): Promise<void>;
}

/** Asset events (Airflow's AssetEvent rows); idempotent by `eventId` and timestamp. */
export interface AssetEventStore {
  recordAssetEvents(events: readonly AssetEventRecord[]): Promise<void>;
  /**
   * The time an external event (an S3 notification, by its EventBridge id) is recorded at: the first
   * claim stores `proposed` and every later claim of the same id answers what was stored, so a
   * redelivered event writes the same asset events again instead of new ones. Claims expire after a week.
   */
  claimExternalEventTime(externalEventId: string, proposed: Date): Promise<Date>;
  /** An asset's events, oldest first; `after` keeps those strictly later than it. */
  listAssetEvents(assetUri: string, options?: { after?: Date; limit?: number }): Promise<AssetEventRecord[]>;
  /** Every known asset (registered by its first event), ordered by URI. */
  listAssets(): Promise<AssetRecord[]>;
  /** The asset whose id (`stableIntegerId(uri)`) is `assetId`, or null. */
  getAsset(assetId: number): Promise<AssetRecord | null>;
  /** Events of every asset, oldest first, with `timestamp` within the bounds given (both inclusive). */
  listAllAssetEvents(options?: { from?: Date; to?: Date }): Promise<AssetEventRecord[]>;
}

/**
 * An asset Updraft knows of (Airflow's AssetModel). Registered with its first event; `assetId` is
 * `stableIntegerId(uri)`. Name and group are Airflow's defaults for an asset given only a URI.
 */
export interface AssetRecord {
  assetId: number;
  uri: string;
  name: string;
  group: string;
  createdAt: Date;
  lastEventId: string | null;
  lastEventTimestamp: Date | null;
}

export interface SchedulerStateStore {
  recordSchedulerHeartbeat(schedulerId: string, at: Date): Promise<void>;
  getLatestSchedulerHeartbeat(): Promise<{ schedulerId: string; at: Date } | null>;
}

/** A variable as the metastore holds it (Airflow's Variable row). */
export interface VariableRecord {
  key: string;
  value: string;
  description: string | null;
}

/** Variables stored in the metastore; last writer wins, as Airflow's `Variable.set`. */
export interface VariableStore {
  getVariable(key: string): Promise<VariableRecord | null>;
  /** Creates or replaces the variable. */
  putVariable(variable: VariableRecord): Promise<void>;
  /** Returns whether a variable was deleted (false when there was none). */
  deleteVariable(key: string): Promise<boolean>;
  /** Ordered by key. */
  listVariables(): Promise<VariableRecord[]>;
}

/** Connections stored in the metastore (the last of the secrets backends). */
export interface ConnectionStore {
  getConnection(connId: string): Promise<Connection | null>;
  /** Creates or replaces the connection. */
  putConnection(connection: Connection): Promise<void>;
  /** Returns whether a connection was deleted (false when there was none). */
  deleteConnection(connId: string): Promise<boolean>;
  /** Ordered by connection id. */
  listConnections(): Promise<Connection[]>;
}

export interface Metastore
  extends DagStore,
    DagFileStore,
    DagRunStore,
    TaskInstanceStore,
    XComStore,
    AssetEventStore,
    SchedulerStateStore,
    VariableStore,
    ConnectionStore {}
