import type { DagRunInfo, DataInterval, NextDagRunInfoArgs, SerializedTimetableJson, Timetable } from './types.ts';

/**
 * A run over `[start, end)`, created once the interval has ended (Airflow's `DagRunInfo.interval`).
 *
 * @example
 * ```ts
 * intervalRunInfo(new Date('2024-01-01T00:00:00Z'), new Date('2024-01-02T00:00:00Z')).runAfter; // 2024-01-02
 * ```
 */
export function intervalRunInfo(start: Date, end: Date): DagRunInfo {
  return {
    dataInterval: { start: new Date(start), end: new Date(end) },
    logicalDate: new Date(start),
    runAfter: new Date(end),
  };
}

/**
 * A run at one instant, with an empty data interval (Airflow's `DagRunInfo.exact`).
 *
 * @example
 * ```ts
 * exactRunInfo(new Date('2024-01-01T00:00:00Z')).dataInterval; // { start: 2024-01-01, end: 2024-01-01 }
 * ```
 */
export function exactRunInfo(at: Date): DagRunInfo {
  return intervalRunInfo(at, at);
}

/**
 * The later of two instants.
 *
 * @example
 * ```ts
 * laterOf(new Date('2024-01-01'), new Date('2024-02-01')); // 2024-02-01
 * ```
 */
export function laterOf(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Shared logic of the timetables whose schedule *is* the data interval (Airflow's
 * `_DataIntervalTimetable`): consecutive intervals, each run created when its interval ends.
 *
 * @example
 * ```ts
 * class EveryMinute extends DataIntervalTimetable { ... } // implement the five protected steps
 * ```
 */
export abstract class DataIntervalTimetable implements Timetable {
  abstract readonly summary: string;
  readonly periodic = true;

  /** The start of the interval a run may begin with when catchup is off, given the DAG's start date. */
  protected abstract skipToLatest(earliest: Date | null, now: Date): Date;
  protected abstract alignToNext(current: Date): Date;
  protected abstract alignToPrev(current: Date): Date;
  protected abstract getNext(current: Date): Date;

  abstract inferManualDataInterval(runAfter: Date): DataInterval;
  abstract serialize(): SerializedTimetableJson;

  nextDagRunInfo({ lastAutomatedDataInterval, restriction, now }: NextDagRunInfoArgs): DagRunInfo | null {
    let earliest = restriction.earliest;
    if (!restriction.catchup) {
      earliest = this.skipToLatest(earliest, now);
    } else if (earliest !== null) {
      earliest = this.alignToNext(earliest);
    }
    let start: Date;
    if (lastAutomatedDataInterval === null) {
      if (earliest === null) return null;
      start = earliest;
    } else {
      // Aligning matters when the schedule changed since the last run.
      const alignedLastEnd = this.alignToPrev(lastAutomatedDataInterval.end);
      start = earliest === null ? alignedLastEnd : laterOf(alignedLastEnd, earliest);
    }
    if (restriction.latest !== null && start.getTime() > restriction.latest.getTime()) return null;
    return intervalRunInfo(start, this.getNext(start));
  }
}
