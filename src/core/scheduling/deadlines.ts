import type { DagRunRecord } from '../model/records.ts';
import type { SerializedDeadline } from '../model/serialized-dag.ts';

/** When a run's deadline falls: its reference instant plus the interval (which may be negative). */
export function deadlineOf(deadline: SerializedDeadline, run: Pick<DagRunRecord, 'queuedAt' | 'logicalDate'>): Date {
  const reference =
    deadline.reference === 'fixed_datetime'
      ? new Date(deadline.at)
      : deadline.reference === 'dagrun_queued_at'
        ? run.queuedAt
        : run.logicalDate;
  return new Date(reference.getTime() + deadline.intervalSeconds * 1000);
}

export interface MissedDeadline {
  run: DagRunRecord;
  deadline: Date;
}

/**
 * The runs whose deadline has passed and that have not been alerted yet (Airflow 3.1's deadline
 * check). Only runs that have not ended count: a run that finished before its deadline never alerts,
 * and one that ends later than it was due is alerted only if the check saw it still active.
 * `deadlineFor` answers the deadline of a run's DAG version, or null when it has none.
 */
export function findMissedDeadlines(
  runs: readonly DagRunRecord[],
  deadlineFor: (run: DagRunRecord) => SerializedDeadline | null | undefined,
  now: Date,
): MissedDeadline[] {
  const missed: MissedDeadline[] = [];
  for (const run of runs) {
    if ((run.state !== 'queued' && run.state !== 'running') || run.deadlineAlertedAt !== undefined) continue;
    const spec = deadlineFor(run);
    if (!spec) continue;
    const deadline = deadlineOf(spec, run);
    if (deadline.getTime() <= now.getTime()) missed.push({ run, deadline });
  }
  return missed;
}
