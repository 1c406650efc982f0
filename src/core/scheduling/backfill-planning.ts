import { ValidationError } from '../errors.ts';
import type { DagRunRecord } from '../model/records.ts';
import type { BackfillExceptionReason, ReprocessBehavior } from '../ports/backfill-store.ts';
import type { DagRunInfo, Timetable } from '../../sdk/timetables/index.ts';

/**
 * Pure planning of a backfill, as Airflow 3's `models/backfill.py`: which logical dates of the DAG's
 * timetable fall in [from, to], and what to do with each given the runs that exist.
 */

/** More runs than this in one backfill is refused: creating them must fit in one API request. */
export const MAX_BACKFILL_RUNS = 1000;

export interface BackfillRangeInput {
  timetable: Pick<Timetable, 'nextDagRunInfo'>;
  fromDate: Date;
  toDate: Date;
  runBackwards: boolean;
  now: Date;
}

/**
 * Checks the range as Airflow's `_validate_backfill_params` does: `from` not after `to`, and not
 * entirely in the future.
 *
 * @throws ValidationError saying what to change.
 */
export function validateBackfillRange(input: Pick<BackfillRangeInput, 'fromDate' | 'toDate' | 'now'>): void {
  const { fromDate, toDate, now } = input;
  if (fromDate.getTime() > toDate.getTime()) {
    throw new ValidationError(
      `from_date (${fromDate.toISOString()}) must not be after to_date (${toDate.toISOString()}). Swap them.`,
      'from_date',
    );
  }
  if (fromDate.getTime() >= now.getTime() && toDate.getTime() >= now.getTime()) {
    throw new ValidationError('Backfill cannot be executed for future dates. Give a range that starts in the past.', 'from_date');
  }
}

/**
 * Refuses a reverse backfill of a DAG with tasks that depend on the past (`dependsOnPast` or
 * `waitForDownstream`), as Airflow 3's `_validate_backfill_params` does: newest first, each run would
 * wait for an older run that the backfill has not run yet.
 *
 * @throws ValidationError naming the tasks and what to change.
 */
export function validateBackfillDirection(runBackwards: boolean, pastTaskIds: readonly string[]): void {
  if (!runBackwards || pastTaskIds.length === 0) return;
  const shown = pastTaskIds.slice(0, 5).join(', ') + (pastTaskIds.length > 5 ? `, and ${pastTaskIds.length - 5} more` : '');
  throw new ValidationError(
    `Backfill cannot be run in reverse when the DAG has tasks where depends_on_past=True (${shown}). ` +
      'Run it oldest first: leave out run_backwards (--run-backwards).',
    'run_backwards',
  );
}

/**
 * The runs of the timetable whose logical date lies in [from, to] (Airflow's `iter_dagrun_infos_between`:
 * catchup on, the range as the DAG's start and end), keeping those whose data interval ended before
 * `now`, in start order: oldest first, or newest first with `runBackwards`.
 *
 * @throws ValidationError when the range holds more than {@link MAX_BACKFILL_RUNS} runs.
 */
export function backfillRunInfos(input: BackfillRangeInput): DagRunInfo[] {
  const { timetable, fromDate, toDate, now } = input;
  const restriction = { earliest: fromDate, latest: toDate, catchup: true };
  const infos: DagRunInfo[] = [];
  let info = timetable.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction, now });
  while (info !== null && info.logicalDate.getTime() <= toDate.getTime()) {
    if (info.dataInterval.end.getTime() < now.getTime()) infos.push(info);
    // Past `now`, every later interval ends later still: none of them is kept.
    else break;
    if (infos.length > MAX_BACKFILL_RUNS) {
      throw new ValidationError(
        `The range ${fromDate.toISOString()} to ${toDate.toISOString()} holds more than ${MAX_BACKFILL_RUNS} runs of the DAG's schedule; ` +
          'split it into several backfills, one after the other.',
        'to_date',
      );
    }
    info = timetable.nextDagRunInfo({ lastAutomatedDataInterval: info.dataInterval, restriction, now });
  }
  return input.runBackwards ? infos.reverse() : infos;
}

/**
 * The run Airflow compares against for one logical date (`_get_latest_dag_run_row_query`): the one that
 * started last, runs that never started after all others.
 */
export function latestRunOf<R extends Pick<DagRunRecord, 'startDate' | 'queuedAt'>>(runs: readonly R[]): R | null {
  let latest: R | null = null;
  for (const run of runs) {
    if (latest === null || startOrder(run) > startOrder(latest)) latest = run;
  }
  return latest;
}

function startOrder(run: Pick<DagRunRecord, 'startDate'>): number {
  return run.startDate ? run.startDate.getTime() : Number.NEGATIVE_INFINITY;
}

export type BackfillRunDecision =
  | { action: 'create' }
  /** Clear the existing run and run it again as part of the backfill. */
  | { action: 'rerun'; run: DagRunRecord }
  | { action: 'skip'; reason: BackfillExceptionReason };

/**
 * What a backfill does with a logical date given its latest run (Airflow's
 * `_get_dag_run_no_create_reason`): a run still queued or running is "in flight" whatever the behaviour;
 * `none` keeps every finished run, `failed` re-runs failed ones, `completed` re-runs failed and
 * succeeded ones.
 */
export function decideBackfillRun(existing: DagRunRecord | null, behavior: ReprocessBehavior): BackfillRunDecision {
  if (!existing) return { action: 'create' };
  if (existing.state !== 'success' && existing.state !== 'failed') return { action: 'skip', reason: 'in flight' };
  if (behavior === 'none') return { action: 'skip', reason: 'already exists' };
  if (behavior === 'failed' && existing.state !== 'failed') return { action: 'skip', reason: 'already exists' };
  return { action: 'rerun', run: existing };
}

export interface PlannedBackfillRun {
  /** 1-based start order. */
  sortOrdinal: number;
  info: DagRunInfo;
  decision: BackfillRunDecision;
}

/** Decides every logical date of the range against the DAG's runs (any order; matched by logical date). */
export function planBackfillRuns(
  infos: readonly DagRunInfo[],
  existingRuns: readonly DagRunRecord[],
  behavior: ReprocessBehavior,
): PlannedBackfillRun[] {
  const byDate = new Map<number, DagRunRecord[]>();
  for (const run of existingRuns) {
    const list = byDate.get(run.logicalDate.getTime()) ?? [];
    list.push(run);
    byDate.set(run.logicalDate.getTime(), list);
  }
  return infos.map((info, index) => ({
    sortOrdinal: index + 1,
    info,
    decision: decideBackfillRun(latestRunOf(byDate.get(info.logicalDate.getTime()) ?? []), behavior),
  }));
}

/** Runs that a dry run lists: those the backfill would create or run again. */
export function runsToBeCreated(plan: readonly PlannedBackfillRun[]): PlannedBackfillRun[] {
  return plan.filter((planned) => planned.decision.action !== 'skip');
}
