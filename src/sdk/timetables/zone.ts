import { IANAZone } from 'luxon';
import { ScheduleError } from './schedule-error.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * A timezone and the two conversions cron evaluation needs. Cron expressions are evaluated on naive
 * wall-clock times (as croniter does in Airflow); a naive time is carried here as a `Date` whose UTC
 * fields are the wall-clock fields.
 *
 * @example
 * ```ts
 * const berlin = new Zone('Europe/Berlin');
 * berlin.toNaive(new Date('2024-01-01T11:00:00Z')).toISOString(); // '2024-01-01T12:00:00.000Z' (12:00 wall clock)
 * berlin.fromNaive(new Date('2024-03-31T02:30:00Z')).toISOString(); // '2024-03-31T01:30:00.000Z' (03:30 CEST)
 * ```
 */
export class Zone {
  readonly name: string;
  private readonly zone: IANAZone;

  constructor(name: string) {
    if (typeof name !== 'string' || !IANAZone.isValidZone(name)) {
      throw new ScheduleError(
        `Unknown timezone ${JSON.stringify(name)}. Use an IANA timezone name such as 'UTC', ` +
          `'Europe/Berlin' or 'America/New_York'.`,
      );
    }
    this.name = name;
    this.zone = IANAZone.create(name);
  }

  /** UTC offset in minutes at an instant. */
  offsetAt(instantMs: number): number {
    return this.zone.offset(instantMs);
  }

  /** The wall-clock time in this zone at an instant. */
  toNaive(instant: Date): Date {
    const ms = instant.getTime();
    return new Date(ms + this.offsetAt(ms) * MINUTE_MS);
  }

  /**
   * The instant of a wall-clock time, with Airflow's rules (its `make_aware` with `fold=1`): a time that
   * occurs twice when clocks go back resolves to the second occurrence; a time skipped when clocks go
   * forward moves forward by the size of the gap (02:30 in a 02:00→03:00 gap becomes 03:30).
   */
  fromNaive(naive: Date): Date {
    const wall = naive.getTime();
    // Real zones change offset at most once within a day, so the offsets a day either side are the
    // offsets before and after any transition near this wall time.
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const candidates = [before, after]
      .map((offset) => ({ offset, instant: wall - offset * MINUTE_MS }))
      .filter(({ offset, instant }) => this.offsetAt(instant) === offset)
      .map(({ instant }) => instant);
    if (candidates.length > 0) return new Date(Math.max(...candidates));
    return new Date(wall - before * MINUTE_MS);
  }
}
