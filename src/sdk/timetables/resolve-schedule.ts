import { CronTriggerTimetable } from './cron-trigger-timetable.ts';
import { NullTimetable } from './null-timetable.ts';
import { OnceTimetable } from './once-timetable.ts';
import { ScheduleError } from './schedule-error.ts';
import type { Timetable } from './types.ts';
import { Zone } from './zone.ts';

/**
 * What a DAG's `schedule` may be: a cron expression or preset, `'@once'`, `null` (manual runs only), or
 * a timetable object.
 *
 * @example
 * ```ts
 * const schedules: Schedule[] = ['@daily', '15 3 * * 1-5', '@once', null, new DeltaDataIntervalTimetable(3600)];
 * ```
 */
export type Schedule = string | Timetable | null;

/**
 * Turns a DAG's `schedule` into a timetable, as Airflow 3 does with its default
 * `[scheduler] create_cron_data_intervals = False`: `null` → {@link NullTimetable}; `'@once'` →
 * {@link OnceTimetable}; a preset (`@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@quarterly`,
 * `@yearly`, `@annually`) or a five-field cron → {@link CronTriggerTimetable} in `timezone`; a timetable
 * → itself. Use `new CronDataIntervalTimetable(cron, tz)` for Airflow 2's data-interval behaviour.
 *
 * @throws ScheduleError for an invalid cron expression, an unknown preset or an unknown timezone.
 * @example
 * ```ts
 * resolveSchedule('@daily', 'Europe/Berlin').summary; // '0 0 * * *'
 * resolveSchedule(null, 'UTC') instanceof NullTimetable; // true
 * ```
 */
export function resolveSchedule(schedule: Schedule, timezone: string): Timetable {
  new Zone(timezone);
  if (schedule === null) return new NullTimetable();
  if (typeof schedule === 'string') {
    if (schedule.trim() === '@once') return new OnceTimetable();
    return new CronTriggerTimetable(schedule, timezone);
  }
  if (isTimetable(schedule)) return schedule;
  throw new ScheduleError(
    `Invalid schedule ${describe(schedule)}: use a cron expression such as '0 6 * * *', a preset such as ` +
      `'@daily', '@once', null for manual runs only, or a timetable such as new CronTriggerTimetable('0 6 * * *', 'UTC').`,
  );
}

function isTimetable(value: unknown): value is Timetable {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Timetable, unknown>>;
  return (
    typeof candidate.nextDagRunInfo === 'function' &&
    typeof candidate.inferManualDataInterval === 'function' &&
    typeof candidate.serialize === 'function'
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
