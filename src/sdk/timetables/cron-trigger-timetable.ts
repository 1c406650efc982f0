import { CronSchedule } from './cron-schedule.ts';
import { intervalRunInfo } from './data-interval-timetable.ts';
import { checkSeconds } from './delta-data-interval-timetable.ts';
import type {
  DagRunInfo,
  DataInterval,
  NextDagRunInfoArgs,
  SerializedTimetableJson,
  Timetable,
} from './types.ts';

/**
 * Options of {@link CronTriggerTimetable}.
 *
 * @example
 * ```ts
 * const options: CronTriggerTimetableOptions = { interval: 86_400 }; // each run covers the day before
 * ```
 */
export interface CronTriggerTimetableOptions {
  /** Length in seconds of the data interval that ends at each trigger time. Default 0. */
  interval?: number;
}

const FIVE_MINUTES_MS = 5 * 60_000;

/**
 * Triggers a run at each tick of a cron expression, like POSIX cron, as Airflow's `CronTriggerTimetable`
 * (Airflow 3's default for cron schedules and presets). The run at tick `T` has the data interval
 * `[T - interval, T]` and the logical date `T - interval` (which is `T` with the default interval 0), and
 * it is created at `T`. The cron is evaluated in `timezone` with Airflow's DST rules.
 *
 * Without catchup, the next run is the latest tick at or before `now` (or a later one). With no start
 * date and no previous run, the first run is the most recent tick if it was at most 10% of the period
 * (and at least five minutes) ago, else the next tick, as Airflow does by default.
 *
 * @example
 * ```ts
 * // 06:00 Berlin time every weekday, each run covering the 24 hours before it
 * dag({ dagId: 'morning_report',
 *   schedule: new CronTriggerTimetable('0 6 * * 1-5', 'Europe/Berlin', { interval: 86_400 }) }, () => { ... });
 * ```
 */
export class CronTriggerTimetable implements Timetable {
  readonly periodic = true;
  readonly intervalSeconds: number;
  private readonly schedule: CronSchedule;
  private readonly intervalMs: number;

  /** @throws ScheduleError when the cron expression, the timezone or the interval is invalid. */
  constructor(cron: string, timezone: string, options: CronTriggerTimetableOptions = {}) {
    this.schedule = new CronSchedule(cron, timezone);
    const interval = options.interval ?? 0;
    checkSeconds(interval, 'interval for CronTriggerTimetable', true);
    this.intervalSeconds = interval;
    this.intervalMs = interval * 1000;
  }

  get summary(): string {
    return this.schedule.expression;
  }

  nextDagRunInfo({ lastAutomatedDataInterval, restriction, now }: NextDagRunInfoArgs): DagRunInfo | null {
    let nextStart: Date;
    if (restriction.catchup) {
      if (lastAutomatedDataInterval !== null) {
        nextStart = this.schedule.next(lastAutomatedDataInterval.end);
      } else if (restriction.earliest === null) {
        nextStart = this.firstRunWithoutStartDate(now);
      } else {
        nextStart = this.schedule.alignToNext(restriction.earliest);
      }
    } else {
      const candidates = [this.schedule.alignToPrev(now)];
      if (lastAutomatedDataInterval !== null) {
        candidates.push(this.schedule.next(lastAutomatedDataInterval.end));
      } else if (restriction.earliest === null) {
        candidates.push(this.firstRunWithoutStartDate(now));
      }
      if (restriction.earliest !== null) candidates.push(this.schedule.alignToNext(restriction.earliest));
      nextStart = new Date(Math.max(...candidates.map((d) => d.getTime())));
    }
    if (restriction.latest !== null && restriction.latest.getTime() < nextStart.getTime()) return null;
    return intervalRunInfo(new Date(nextStart.getTime() - this.intervalMs), nextStart);
  }

  /** The interval of length `interval` that ends when the run was triggered. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: new Date(runAfter.getTime() - this.intervalMs), end: new Date(runAfter) };
  }

  serialize(): SerializedTimetableJson {
    return {
      type: 'cron_trigger',
      cron: this.schedule.expression,
      timezone: this.schedule.zone.name,
      intervalSeconds: this.intervalSeconds,
    };
  }

  /** Airflow's `_calc_first_run` with its default `run_immediately=False`. */
  private firstRunWithoutStartDate(now: Date): Date {
    const past = this.schedule.alignToPrev(now);
    const next = this.schedule.alignToNext(now);
    const buffer = Math.max((next.getTime() - past.getTime()) / 10, FIVE_MINUTES_MS);
    return now.getTime() - past.getTime() <= buffer ? past : next;
  }
}
