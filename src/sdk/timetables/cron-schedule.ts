import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { ScheduleError } from './schedule-error.ts';
import { Zone } from './zone.ts';

/**
 * Cron presets, as Airflow's `cron_presets` (plus `@annually` and `@midnight`, the common aliases).
 * `@once` is not a cron preset: it resolves to `OnceTimetable`.
 *
 * @example
 * ```ts
 * CRON_PRESETS['@daily']; // '0 0 * * *'
 * ```
 */
export const CRON_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
});

const CRON_ONLY_EXAMPLE = `a five-field cron expression such as '30 6 * * *' (06:30 every day)`;
const CRON_EXAMPLE = `${CRON_ONLY_EXAMPLE} or a preset such as '@daily'`;
const DAY_MS = 86_400_000;

/**
 * Whether `value` names a cron preset (`@daily`, ...).
 *
 * @example
 * ```ts
 * isCronPreset('@daily'); // true
 * isCronPreset('@once'); // false: not a cron
 * ```
 */
export function isCronPreset(value: string): boolean {
  return Object.hasOwn(CRON_PRESETS, value);
}

/**
 * A cron expression evaluated in a timezone with Airflow's DST rules (its `CronMixin`): crons that fire
 * every hour step in real elapsed time across a DST change (no run lost, none doubled); other crons
 * fire at the wall-clock time they name, a skipped time moving forward by the gap and a repeated time
 * firing once, at its second occurrence.
 *
 * @example
 * ```ts
 * const cron = new CronSchedule('30 2 * * *', 'Europe/Berlin');
 * cron.next(new Date('2024-03-30T12:00:00Z')).toISOString(); // '2024-03-31T01:30:00.000Z' (03:30 CEST)
 * ```
 */
export class CronSchedule {
  /** The five-field expression, presets expanded. */
  readonly expression: string;
  readonly zone: Zone;
  private readonly coversEveryHour: boolean;

  constructor(cron: string, timezone: string) {
    if (typeof cron !== 'string' || cron.trim() === '') {
      throw new ScheduleError(`Invalid schedule ${JSON.stringify(cron)}: it is empty. Use ${CRON_EXAMPLE}.`);
    }
    const trimmed = cron.trim();
    if (trimmed.startsWith('@') && !isCronPreset(trimmed)) {
      throw new ScheduleError(
        `Unknown schedule preset ${JSON.stringify(trimmed)}. Use one of ` +
          `${['@once', ...Object.keys(CRON_PRESETS)].join(', ')}, or ${CRON_ONLY_EXAMPLE}.`,
      );
    }
    this.expression = CRON_PRESETS[trimmed] ?? trimmed.split(/\s+/).join(' ');
    const fieldCount = this.expression.split(' ').length;
    if (fieldCount !== 5) {
      throw new ScheduleError(
        `Invalid cron expression ${JSON.stringify(cron)}: it has ${fieldCount} fields, ` +
          `but a cron expression has five (minute hour day-of-month month day-of-week). Use ${CRON_EXAMPLE}.`,
      );
    }
    this.zone = new Zone(timezone);
    let parsed: CronExpression;
    try {
      parsed = this.parse(new Date(0));
      // An expression that parses but can never fire (e.g. 30 February) fails here rather than at run time.
      parsed.next();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ScheduleError(`Invalid cron expression ${JSON.stringify(cron)}: ${reason}. Use ${CRON_EXAMPLE}.`, {
        cause: error,
      });
    }
    this.coversEveryHour = parsed.fields.hour.values.length === 24;
  }

  /** The first scheduled instant strictly after `current`. */
  next(current: Date): Date {
    const naive = this.zone.toNaive(current);
    const scheduled = this.parse(naive).next().toDate();
    return this.resolve(current, naive, scheduled);
  }

  /** The last scheduled instant strictly before `current`. */
  prev(current: Date): Date {
    const naive = this.zone.toNaive(current);
    const scheduled = this.parse(naive).prev().toDate();
    return this.resolve(current, naive, scheduled);
  }

  /** `current` if it is a scheduled instant, else the next one. */
  alignToNext(current: Date): Date {
    const next = this.next(current);
    return this.prev(next).getTime() !== current.getTime() ? next : new Date(current);
  }

  /** `current` if it is a scheduled instant, else the previous one. */
  alignToPrev(current: Date): Date {
    const prev = this.prev(current);
    return this.next(prev).getTime() !== current.getTime() ? prev : new Date(current);
  }

  private resolve(current: Date, naive: Date, scheduled: Date): Date {
    const deltaMs = scheduled.getTime() - naive.getTime();
    // Airflow adds the wall-clock distance as elapsed time for every-hour crons, so 01:00 + 1h across a
    // spring-forward lands at 03:00 and across a fall-back at the repeated 02:00. A distance of a day or
    // more is added on the calendar (as pendulum does), which is the same as resolving the wall time.
    if (this.coversEveryHour && Math.abs(deltaMs) < DAY_MS) {
      return new Date(current.getTime() + deltaMs);
    }
    return this.zone.fromNaive(scheduled);
  }

  private parse(naive: Date): CronExpression {
    return CronExpressionParser.parse(this.expression, { currentDate: naive, tz: 'UTC' });
  }
}
