import { DataIntervalTimetable, laterOf } from './data-interval-timetable.ts';
import { ScheduleError } from './schedule-error.ts';
import type { DataInterval, SerializedTimetableJson } from './types.ts';

/**
 * Checks a duration in seconds; `allowZero` for an optional interval, not for a period.
 *
 * @throws ScheduleError naming the value and showing a valid one.
 * @example
 * ```ts
 * checkSeconds(3600, 'interval for DeltaDataIntervalTimetable', false); // passes
 * checkSeconds(0, 'interval for DeltaDataIntervalTimetable', false); // throws ScheduleError
 * ```
 */
export function checkSeconds(value: number, what: string, allowZero: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new ScheduleError(
      `Invalid ${what} ${JSON.stringify(value)}: it must be a ${allowZero ? 'non-negative' : 'positive'} ` +
        `number of seconds, e.g. 3600 for one hour or 86400 for one day.`,
    );
  }
}

/**
 * Schedules consecutive data intervals of a fixed length in seconds, as Airflow's
 * `DeltaDataIntervalTimetable` with a `timedelta`: the run for `[t, t + seconds)` is created at
 * `t + seconds`. Intervals are elapsed time, so they ignore timezones and DST.
 *
 * @example
 * ```ts
 * dag({ dagId: 'every_six_hours', schedule: new DeltaDataIntervalTimetable(6 * 3600),
 *   startDate: new Date('2024-01-01T00:00:00Z') }, () => { ... });
 * ```
 */
export class DeltaDataIntervalTimetable extends DataIntervalTimetable {
  readonly seconds: number;
  private readonly deltaMs: number;

  /** @throws ScheduleError when `seconds` is not a positive number. */
  constructor(seconds: number) {
    super();
    checkSeconds(seconds, 'interval for DeltaDataIntervalTimetable', false);
    this.seconds = seconds;
    this.deltaMs = seconds * 1000;
  }

  get summary(): string {
    return formatSeconds(this.seconds);
  }

  /** The interval that ends when the run was triggered. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: new Date(runAfter.getTime() - this.deltaMs), end: new Date(runAfter) };
  }

  serialize(): SerializedTimetableJson {
    return { type: 'delta_data_interval', seconds: this.seconds };
  }

  /**
   * Without catchup the first interval starts one period before `now` rounded down to a multiple of the
   * period since the epoch (so it has ended by `now`), or at the DAG's start date if that is later.
   */
  protected skipToLatest(earliest: Date | null, now: Date): Date {
    const nowMs = now.getTime();
    const rounded = nowMs - (((nowMs % this.deltaMs) + this.deltaMs) % this.deltaMs);
    const newStart = new Date(rounded - this.deltaMs);
    return earliest === null ? newStart : laterOf(newStart, earliest);
  }

  protected alignToNext(current: Date): Date {
    return current;
  }

  protected alignToPrev(current: Date): Date {
    return current;
  }

  protected getNext(current: Date): Date {
    return new Date(current.getTime() + this.deltaMs);
  }
}

/** Like Python's `str(timedelta)`, which Airflow shows as the summary: `1 day, 0:00:00`, `6:00:00`. */
function formatSeconds(total: number): string {
  const days = Math.floor(total / 86_400);
  const rest = total - days * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const sText = Number.isInteger(s) ? String(s).padStart(2, '0') : s.toFixed(6).padStart(9, '0');
  const clock = `${h}:${String(m).padStart(2, '0')}:${sText}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}
