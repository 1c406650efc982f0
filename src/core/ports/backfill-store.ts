/**
 * Backfills, as Airflow 3 keeps them (its `backfill` and `backfill_dag_run` tables). Not part of the
 * Metastore aggregate: the REST API and the scheduler construct the store on the same table.
 */

/** What a backfill does with a logical date that already has a run (Airflow's ReprocessBehavior). */
export const REPROCESS_BEHAVIORS = ['none', 'failed', 'completed'] as const;
export type ReprocessBehavior = (typeof REPROCESS_BEHAVIORS)[number];

/** Airflow's default `max_active_runs` of a backfill. */
export const DEFAULT_BACKFILL_MAX_ACTIVE_RUNS = 10;

export interface BackfillRecord {
  /** Sequential, from 1, as Airflow's autoincrement id (ids of refused creations are skipped). */
  id: number;
  dagId: string;
  fromDate: Date;
  toDate: Date;
  dagRunConf: Record<string, unknown>;
  /** A paused backfill starts none of its queued runs; runs already running go on. */
  isPaused: boolean;
  reprocessBehavior: ReprocessBehavior;
  maxActiveRuns: number;
  runBackwards: boolean;
  createdAt: Date;
  /** Set when all its runs ended, or when it was cancelled. */
  completedAt: Date | null;
  updatedAt: Date;
  triggeringUserName: string | null;
  /**
   * False while the create request is still creating the runs: the scheduler does not mark a backfill
   * complete before then, though it may already start the runs that exist.
   */
  runsCreated: boolean;
}

/** Airflow's BackfillDagRunExceptionReason values: why a logical date of the range got no run. */
export type BackfillExceptionReason = 'in flight' | 'already exists' | 'unknown';

/** One logical date of a backfill (Airflow's BackfillDagRun row). */
export interface BackfillDagRunRecord {
  backfillId: number;
  dagId: string;
  /** 1-based position in the order the runs should start (reversed with run_backwards). */
  sortOrdinal: number;
  logicalDate: Date;
  /** The run created or re-run for this date; null when `exceptionReason` says why there is none. */
  runId: string | null;
  exceptionReason: BackfillExceptionReason | null;
}

export type NewBackfill = Omit<BackfillRecord, 'id' | 'completedAt' | 'updatedAt' | 'runsCreated'>;

export type BackfillChanges = Partial<Pick<BackfillRecord, 'isPaused' | 'runsCreated'>>;

export interface BackfillStore {
  /**
   * Stores a new backfill under the next id, with `runsCreated` false. A DAG has at most one backfill
   * that has not completed: when it has one, throws ConflictError whose `current` is that backfill.
   */
  createBackfill(backfill: NewBackfill): Promise<BackfillRecord>;
  getBackfill(id: number): Promise<BackfillRecord | null>;
  /** A DAG's backfills (every DAG's when no id is given), ordered by id. */
  listBackfills(dagId?: string): Promise<BackfillRecord[]>;
  /** Every backfill that has not completed, across DAGs (what the scheduler works on). */
  listActiveBackfills(): Promise<BackfillRecord[]>;
  /**
   * Changes a backfill that has not completed; `updatedAt` is set to `at`. Throws NotFoundError when there
   * is no such backfill and ConflictError (with `current`) when it has completed.
   */
  updateBackfill(id: number, changes: BackfillChanges, at: Date): Promise<BackfillRecord>;
  /**
   * Marks a backfill completed (and paused when `pause`), which lets the DAG have another one. Throws
   * NotFoundError when there is none and ConflictError (with `current`) when it had already completed.
   */
  completeBackfill(id: number, at: Date, options?: { pause?: boolean }): Promise<BackfillRecord>;
  /** Creates or replaces the rows of a backfill's logical dates (idempotent by backfill and ordinal). */
  putBackfillDagRuns(rows: readonly BackfillDagRunRecord[]): Promise<void>;
  /** A backfill's rows, by sort ordinal. */
  listBackfillDagRuns(backfillId: number): Promise<BackfillDagRunRecord[]>;
}
