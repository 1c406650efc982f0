import { ConflictError } from '../../core/errors.ts';
import type { DagRecord, DagRunRecord } from '../../core/model/records.ts';
import type { BackfillRecord, BackfillStore } from '../../core/ports/backfill-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { mapWithConcurrency } from '../scheduler/concurrency.ts';

export interface BackfillTickDeps {
  metastore: Metastore;
  logger: Logger;
  clock: Clock;
  /** Absent: the deployment runs no backfills and the step does nothing. */
  backfills?: BackfillStore;
}

/** The counters of the tick's report this step adds to. */
export interface BackfillTickCounts {
  runsStarted: number;
  errors: number;
}

/** Backfills worked on at once in one tick. */
const BACKFILL_CONCURRENCY = 4;

/**
 * The scheduler's backfill step (Airflow 3's scheduler does the same in `_start_queued_dagruns` and
 * `_mark_backfills_complete`). For every backfill that has not completed:
 * - its runs are taken out of `runsByDag`, so they neither count against the DAG's `maxActiveRuns` nor
 *   get started under it (Airflow counts running runs per DAG *and* backfill);
 * - unless the backfill or its DAG is paused, its queued runs start in the backfill's order while fewer
 *   than its `maxActiveRuns` run;
 * - when none of its runs is queued or running any more (read again, consistently), it is marked
 *   complete, which lets the DAG have another backfill.
 *
 * Answers the backfill runs of schedulable DAGs that are running now (started by this step or before),
 * for the tick to schedule with the others. Failures are logged and counted, never thrown: the rest of
 * the tick goes on.
 */
export async function progressBackfills(
  deps: BackfillTickDeps,
  runsByDag: Map<string, DagRunRecord[]>,
  schedulable: ReadonlyMap<string, DagRecord>,
  now: Date,
  counts: BackfillTickCounts,
): Promise<DagRunRecord[]> {
  const store = deps.backfills;
  if (!store) return [];
  let active: BackfillRecord[];
  try {
    active = await store.listActiveBackfills();
  } catch (error) {
    counts.errors += 1;
    deps.logger.error(`Could not read the active backfills; their runs wait for the next tick: ${describe(error)}`);
    // Without knowing which runs are whose, backfill runs must not start under their DAG's limit.
    for (const [dagId, runs] of runsByDag) runsByDag.set(dagId, runs.filter((r) => r.runType !== 'backfill' || r.state !== 'queued'));
    return [];
  }
  const running: DagRunRecord[] = [];
  await mapWithConcurrency(active, BACKFILL_CONCURRENCY, async (backfill) => {
    try {
      const rows = await store.listBackfillDagRuns(backfill.id);
      const ordinals = new Map(rows.filter((row) => row.runId !== null).map((row) => [row.runId!, row.sortOrdinal]));
      const dagRuns = runsByDag.get(backfill.dagId) ?? [];
      const mine = dagRuns.filter((run) => ordinals.has(run.runId));
      runsByDag.set(
        backfill.dagId,
        dagRuns.filter((run) => !ordinals.has(run.runId)),
      );
      if (schedulable.has(backfill.dagId)) {
        const started = await startQueuedBackfillRuns(deps.metastore, deps.logger, backfill, mine, ordinals, now);
        counts.runsStarted += started.length;
        running.push(...mine.filter((run) => run.state === 'running'), ...started);
      }
      if (backfill.runsCreated && mine.length === 0) await completeIfDone(deps, store, backfill, [...ordinals.keys()]);
    } catch (error) {
      counts.errors += 1;
      deps.logger.error(`Could not progress backfill ${backfill.id}: ${describe(error)}`, { dag_id: backfill.dagId, backfill_id: backfill.id });
    }
  });
  return running;
}

/** Queued → running in the backfill's order (`sortOrdinal`), while fewer than its `maxActiveRuns` run. */
async function startQueuedBackfillRuns(
  metastore: Metastore,
  logger: Logger,
  backfill: BackfillRecord,
  runs: readonly DagRunRecord[],
  ordinals: ReadonlyMap<string, number>,
  now: Date,
): Promise<DagRunRecord[]> {
  if (backfill.isPaused) return [];
  let runningCount = runs.filter((run) => run.state === 'running').length;
  const queued = runs
    .filter((run) => run.state === 'queued' && run.runAfter.getTime() <= now.getTime())
    .sort((a, b) => ordinals.get(a.runId)! - ordinals.get(b.runId)!);
  const started: DagRunRecord[] = [];
  for (const run of queued) {
    if (runningCount >= backfill.maxActiveRuns) break;
    try {
      started.push(await metastore.updateDagRun(run, { state: 'running', startDate: now }, { state: 'queued' }));
      runningCount += 1;
      logger.info('Started backfill DAG run', { dag_id: run.dagId, run_id: run.runId, backfill_id: backfill.id });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone else started it: it still counts against the limit.
      if ((error.current as DagRunRecord | null | undefined)?.state === 'running') runningCount += 1;
    }
  }
  return started;
}

/**
 * The active-runs index said none of the backfill's runs is queued or running; it may lag, so each run is
 * read again before the backfill is marked complete.
 */
async function completeIfDone(deps: BackfillTickDeps, store: BackfillStore, backfill: BackfillRecord, runIds: readonly string[]): Promise<void> {
  const runs = await mapWithConcurrency(runIds, 8, (runId) => deps.metastore.getDagRun({ dagId: backfill.dagId, runId }));
  if (runs.some((run) => run !== null && (run.state === 'queued' || run.state === 'running'))) return;
  try {
    await store.completeBackfill(backfill.id, deps.clock.now());
    deps.logger.info('Backfill completed: all its runs ended', { dag_id: backfill.dagId, backfill_id: backfill.id });
  } catch (error) {
    // Cancelled or completed by another tick meanwhile.
    if (!(error instanceof ConflictError)) throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
