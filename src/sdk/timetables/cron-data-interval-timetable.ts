import { CronSchedule } from './cron-schedule.ts';
import { DataIntervalTimetable, laterOf } from './data-interval-timetable.ts';
import type { DataInterval, SerializedTimetableJson } from './types.ts';

/**
 * Schedules consecutive data intervals between the ticks of a cron expression, as Airflow's
 * `CronDataIntervalTimetable`: the run for `[tick, nextTick)` has logical date `tick` and is created at
 * `nextTick`. The cron is evaluated in `timezone` with Airflow's DST rules. This was Airflow 2's default
 * for cron schedules; Airflow 3 (and `resolveSchedule`) use {@link CronTriggerTimetable} instead.
 *
 * @example
 * ```ts
 * dag({ dagId: 'daily_totals', schedule: new CronDataIntervalTimetable('0 0 * * *', 'Europe/Berlin'),
 *   startDate: new Date('2024-01-01T00:00:00+01:00'), catchup: true }, () => { ... });
 * // first run: data interval 2024-01-01 00:00 → 2024-01-02 00:00 (Berlin), created at 2024-01-02 00:00
 * ```
 */
export class CronDataIntervalTimetable extends DataIntervalTimetable {
  private readonly schedule: CronSchedule;

  /** @throws ScheduleError when the cron expression or the timezone is invalid. */
  constructor(cron: string, timezone: string) {
    super();
    this.schedule = new CronSchedule(cron, timezone);
  }

  get summary(): string {
    return this.schedule.expression;
  }

  /**
   * The last complete interval before `runAfter`: for a daily cron triggered at 01:00 on the 25th, the
   * interval is midnight 24th → midnight 25th.
   */
  inferManualDataInterval(runAfter: Date): DataInterval {
    const end = this.schedule.alignToPrev(runAfter);
    return { start: this.schedule.prev(end), end };
  }

  serialize(): SerializedTimetableJson {
    return { type: 'cron_data_interval', cron: this.schedule.expression, timezone: this.schedule.zone.name };
  }

  /**
   * Without catchup the first interval to run is the latest one that has already ended at `now`; if
   * `now` is exactly a tick, that is the interval that ends now.
   */
  protected skipToLatest(earliest: Date | null, now: Date): Date {
    const lastStart = this.schedule.prev(now);
    const nextStart = this.schedule.next(lastStart);
    const newStart = nextStart.getTime() === now.getTime() ? lastStart : this.schedule.prev(lastStart);
    return earliest === null ? newStart : laterOf(newStart, this.schedule.alignToNext(earliest));
  }

  protected alignToNext(current: Date): Date {
    return this.schedule.alignToNext(current);
  }

  protected alignToPrev(current: Date): Date {
    return this.schedule.alignToPrev(current);
  }

  protected getNext(current: Date): Date {
    return this.schedule.next(current);
  }
}
