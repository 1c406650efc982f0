import { exactRunInfo } from './data-interval-timetable.ts';
import type { DagRunInfo, DataInterval, NextDagRunInfoArgs, SerializedTimetableJson, Timetable } from './types.ts';

/**
 * Runs the DAG once, as soon as possible (`schedule: '@once'`), as Airflow's `OnceTimetable`: at the
 * DAG's start date if it has one, else at `now`, whatever `catchup` says; never after a first automated
 * run, and not at all if the start date is after the end date. The run's data interval is empty.
 *
 * @example
 * ```ts
 * dag({ dagId: 'bootstrap_tables', schedule: '@once', startDate: new Date('2024-01-01T00:00:00Z') }, () => { ... });
 * ```
 */
export class OnceTimetable implements Timetable {
  readonly summary = '@once';
  readonly periodic = false;

  nextDagRunInfo({ lastAutomatedDataInterval, restriction, now }: NextDagRunInfoArgs): DagRunInfo | null {
    if (lastAutomatedDataInterval !== null) return null;
    const runAfter = restriction.earliest ?? now;
    if (restriction.latest !== null && runAfter.getTime() > restriction.latest.getTime()) return null;
    return exactRunInfo(runAfter);
  }

  /** An empty interval at the trigger time. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: new Date(runAfter), end: new Date(runAfter) };
  }

  serialize(): SerializedTimetableJson {
    return { type: 'once' };
  }
}
