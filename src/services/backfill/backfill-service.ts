import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { runIdFor } from '../../core/model/keys.ts';
import type { DagRecord, DagRunRecord } from '../../core/model/records.ts';
import {
  DEFAULT_BACKFILL_MAX_ACTIVE_RUNS,
  type BackfillDagRunRecord,
  type BackfillRecord,
  type BackfillStore,
} from '../../core/ports/backfill-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { runsToBeCreated, type PlannedBackfillRun } from '../../core/scheduling/backfill-planning.ts';
import { TaskInstanceClearer } from '../clearing/task-instance-clearer.ts';
import { mapWithConcurrency } from '../scheduler/concurrency.ts';
import { prepareBackfill, type BackfillRequest } from './backfill-planner.ts';

export interface BackfillServiceDeps {
  metastore: Metastore;
  backfills: BackfillStore;
  /** Clearing a run that is run again removes its XComs, large ones included. */
  objectStore: ObjectStore;
  clock: Clock;
  logger: Logger;
  executors?: ExecutorRegistry;
}

/** What a dry run answers: the logical dates the backfill would create or run again, in start order. */
export interface BackfillDryRunEntry {
  logicalDate: Date;
}

/** Runs written at once while creating a backfill (each is one to three conditional writes). */
const WRITE_CONCURRENCY = 8;

/**
 * Backfills as Airflow 3 runs them: creating one records a row per logical date of the range and creates
 * (or re-runs) the runs in `queued`; the scheduler starts them within the backfill's `maxActiveRuns`
 * (backfill-tick-step.ts) and marks the backfill complete when none is left queued or running.
 */
export class BackfillService {
  private readonly clearer: TaskInstanceClearer;

  constructor(private readonly deps: BackfillServiceDeps) {
    this.clearer = new TaskInstanceClearer(deps);
  }

  /** The runs a backfill would create or re-run; writes nothing (Airflow's `_do_dry_run`). */
  async dryRun(request: BackfillRequest): Promise<BackfillDryRunEntry[]> {
    const { plan } = await prepareBackfill(this.deps, request);
    return runsToBeCreated(plan).map((planned) => ({ logicalDate: planned.info.logicalDate }));
  }

  /**
   * Creates the backfill and its runs (Airflow's `_create_backfill`).
   *
   * @throws NotFoundError (unknown DAG), ValidationError (the request must change), ConflictError (the DAG
   *   has a backfill that has not completed).
   */
  async create(request: BackfillRequest): Promise<BackfillRecord> {
    const { dag, plan } = await prepareBackfill(this.deps, request);
    if (plan.length === 0) {
      throw new ValidationError(
        `No runs to create for DAG ${dag.dagId}: its schedule has no run between ${request.fromDate.toISOString()} and ` +
          `${request.toDate.toISOString()} whose data interval has ended. Widen the range.`,
        'from_date',
      );
    }
    const now = this.deps.clock.now();
    const backfill = await this.deps.backfills.createBackfill({
      dagId: dag.dagId,
      fromDate: request.fromDate,
      toDate: request.toDate,
      dagRunConf: request.dagRunConf ?? {},
      isPaused: false,
      reprocessBehavior: request.reprocessBehavior ?? 'none',
      maxActiveRuns: request.maxActiveRuns ?? DEFAULT_BACKFILL_MAX_ACTIVE_RUNS,
      runBackwards: request.runBackwards ?? false,
      createdAt: now,
      triggeringUserName: request.triggeringUserName ?? null,
    });
    // Rows first: the scheduler tells a backfill's runs by them, so a run queued before its row would be
    // started under the DAG's own limit instead of the backfill's.
    const rows = plan.map((planned) => intendedRow(backfill, planned));
    await this.deps.backfills.putBackfillDagRuns(rows);
    const outcomes = await mapWithConcurrency(plan, WRITE_CONCURRENCY, (planned) =>
      this.writeRun(backfill, dag, planned, request.dagRunConf ?? null, now),
    );
    const lost = rows
      .filter((row, index) => row.runId !== null && !outcomes[index])
      .map((row): BackfillDagRunRecord => ({ ...row, runId: null, exceptionReason: 'in flight' }));
    if (lost.length > 0) await this.deps.backfills.putBackfillDagRuns(lost);
    const created = await this.deps.backfills.updateBackfill(backfill.id, { runsCreated: true }, this.deps.clock.now()).catch((error: unknown) => {
      // Cancelled while its runs were being created: it is complete already, and that is the answer.
      if (error instanceof ConflictError && error.current) return error.current as BackfillRecord;
      throw error;
    });
    this.deps.logger.info('Created backfill', {
      dag_id: dag.dagId,
      backfill_id: backfill.id,
      runs: outcomes.filter(Boolean).length,
      skipped: plan.length - outcomes.filter(Boolean).length,
    });
    return created;
  }

  async get(id: number): Promise<BackfillRecord> {
    const backfill = await this.deps.backfills.getBackfill(id);
    if (!backfill) throw backfillNotFound(id);
    return backfill;
  }

  /** A DAG's backfills, completed ones included, by id. */
  list(dagId: string): Promise<BackfillRecord[]> {
    return this.deps.backfills.listBackfills(dagId);
  }

  /** No new run of the backfill starts while it is paused; running ones go on. */
  async setPaused(id: number, isPaused: boolean): Promise<BackfillRecord> {
    const backfill = await this.get(id);
    if (backfill.completedAt) throw new ConflictError('Backfill is already completed.', backfill);
    if (backfill.isPaused === isPaused) return backfill;
    return this.deps.backfills.updateBackfill(id, { isPaused }, this.deps.clock.now());
  }

  /**
   * Cancels as Airflow does: pauses the backfill so nothing more starts, fails its runs still queued,
   * and marks it completed. Runs already running finish on their own.
   */
  async cancel(id: number): Promise<BackfillRecord> {
    let backfill = await this.get(id);
    if (backfill.completedAt) throw new ConflictError('Backfill is already completed.', backfill);
    if (!backfill.isPaused) backfill = await this.deps.backfills.updateBackfill(id, { isPaused: true }, this.deps.clock.now());
    const rows = await this.deps.backfills.listBackfillDagRuns(id);
    const now = this.deps.clock.now();
    await mapWithConcurrency(
      rows.filter((row) => row.runId !== null),
      WRITE_CONCURRENCY,
      async (row) => {
        const key = { dagId: row.dagId, runId: row.runId! };
        try {
          await this.deps.metastore.updateDagRun(key, { state: 'failed', endDate: now }, { state: 'queued' });
          this.deps.logger.info('Failed queued run of cancelled backfill', { dag_id: row.dagId, run_id: row.runId, backfill_id: id });
        } catch (error) {
          // Started, finished or gone meanwhile: only queued runs are failed.
          if (!(error instanceof ConflictError)) throw error;
        }
      },
    );
    return this.deps.backfills.completeBackfill(id, this.deps.clock.now(), { pause: true });
  }

  /** Creates or re-runs the run of one logical date; answers whether the backfill now owns a run for it. */
  private async writeRun(
    backfill: BackfillRecord,
    dag: DagRecord,
    planned: PlannedBackfillRun,
    conf: Record<string, unknown> | null,
    now: Date,
  ): Promise<boolean> {
    const { decision, info } = planned;
    if (decision.action === 'skip') return false;
    if (decision.action === 'create') {
      const run: DagRunRecord = {
        dagId: dag.dagId,
        runId: runIdFor('backfill', info.logicalDate),
        state: 'queued',
        runType: 'backfill',
        logicalDate: info.logicalDate,
        dataInterval: { start: info.dataInterval.start, end: info.dataInterval.end },
        runAfter: info.runAfter,
        versionId: dag.latestVersionId,
        conf: conf ?? {},
        queuedAt: now,
        startDate: null,
        endDate: null,
        revision: 0,
      };
      // A run with this id already existing means another request created it since the plan: in flight.
      return this.deps.metastore.createDagRun(run);
    }
    return this.rerun(backfill, decision.run, conf, now);
  }

  /**
   * Airflow's `_handle_clear_run`: clears every task instance of the finished run, then puts it back in
   * queued as a backfill run. The task instances go first so no tick can start the run while they still
   * hold their old states (it would end at once).
   */
  private async rerun(backfill: BackfillRecord, run: DagRunRecord, conf: Record<string, unknown> | null, now: Date): Promise<boolean> {
    await this.clearer.clear({
      runs: [run],
      selection: { taskIds: null, onlyFailed: false, onlyRunning: false, includeUpstream: false, includeDownstream: false },
      dryRun: false,
      resetDagRuns: false,
    });
    try {
      await this.deps.metastore.updateDagRun(
        run,
        { state: 'queued', startDate: null, endDate: null, queuedAt: now, runType: 'backfill', ...(conf ? { conf } : {}) },
        { state: run.state },
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return false;
    }
    this.deps.logger.info('Backfill re-runs existing run', { dag_id: run.dagId, run_id: run.runId, backfill_id: backfill.id });
    return true;
  }
}

/** The row a planned date gets before its run is written (the run id it will have, or why none). */
function intendedRow(backfill: BackfillRecord, planned: PlannedBackfillRun): BackfillDagRunRecord {
  const { decision, info } = planned;
  return {
    backfillId: backfill.id,
    dagId: backfill.dagId,
    sortOrdinal: planned.sortOrdinal,
    logicalDate: info.logicalDate,
    runId: decision.action === 'create' ? runIdFor('backfill', info.logicalDate) : decision.action === 'rerun' ? decision.run.runId : null,
    exceptionReason: decision.action === 'skip' ? decision.reason : null,
  };
}

export function backfillNotFound(id: number): NotFoundError {
  return new NotFoundError(`Could not find backfill with id ${id}. GET /api/v2/backfills?dag_id=<dag_id> lists a DAG's backfills.`);
}
