import { describe, expect, it } from 'vitest';
import {
  CronDataIntervalTimetable,
  CronTriggerTimetable,
  DeltaDataIntervalTimetable,
  NullTimetable,
  OnceTimetable,
  resolveSchedule,
  ScheduleError,
} from '../../../../src/sdk/timetables/index.ts';

function errorOf(run: () => unknown): ScheduleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return error as ScheduleError;
  }
  throw new Error('expected a ScheduleError, but nothing was thrown');
}

describe('resolveSchedule', () => {
  it('turns null into manual runs only and @once into a single run', () => {
    expect(resolveSchedule(null, 'UTC')).toBeInstanceOf(NullTimetable);
    expect(resolveSchedule('@once', 'UTC')).toBeInstanceOf(OnceTimetable);
  });

  it.each([
    ['@hourly', '0 * * * *'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@weekly', '0 0 * * 0'],
    ['@monthly', '0 0 1 * *'],
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['15 3 * * 1-5', '15 3 * * 1-5'],
  ])('turns %s into a cron trigger timetable (Airflow 3 default) for %s', (schedule, cron) => {
    const timetable = resolveSchedule(schedule, 'Europe/Berlin');
    expect(timetable).toBeInstanceOf(CronTriggerTimetable);
    expect(timetable.serialize()).toEqual({ type: 'cron_trigger', cron, timezone: 'Europe/Berlin', intervalSeconds: 0 });
  });

  it('returns a timetable object as it is', () => {
    const timetable = new DeltaDataIntervalTimetable(600);
    expect(resolveSchedule(timetable, 'UTC')).toBe(timetable);
    const cron = new CronDataIntervalTimetable('0 0 * * *', 'UTC');
    expect(resolveSchedule(cron, 'UTC')).toBe(cron);
  });

  it('names an invalid cron expression and shows a valid one', () => {
    const error = errorOf(() => resolveSchedule('0 25 * * *', 'UTC'));
    expect(error.code).toBe('invalid_schedule');
    expect(error.name).toBe('ScheduleError');
    expect(error.message).toContain('"0 25 * * *"');
    expect(error.message).toContain('0-23');
    expect(error.message).toContain("'30 6 * * *'");
  });

  it('explains a cron expression with the wrong number of fields', () => {
    const error = errorOf(() => resolveSchedule('0 0 * *', 'UTC'));
    expect(error.message).toContain('"0 0 * *"');
    expect(error.message).toContain('4 fields');
    expect(error.message).toContain('five');
  });

  it('rejects a cron expression that can never fire', () => {
    const error = errorOf(() => resolveSchedule('0 0 30 2 *', 'UTC'));
    expect(error.message).toContain('"0 0 30 2 *"');
  });

  it('names an unknown preset and lists the known ones', () => {
    const error = errorOf(() => resolveSchedule('@fortnightly', 'UTC'));
    expect(error.message).toContain('"@fortnightly"');
    expect(error.message).toContain('@daily');
    expect(error.message).toContain('@once');
  });

  it('names an unknown timezone and shows valid ones', () => {
    const error = errorOf(() => resolveSchedule('@daily', 'Mars/Olympus_Mons'));
    expect(error.code).toBe('invalid_schedule');
    expect(error.message).toContain('"Mars/Olympus_Mons"');
    expect(error.message).toContain('Europe/Berlin');
    expect(() => new CronDataIntervalTimetable('0 0 * * *', 'CEST+2')).toThrow(ScheduleError);
  });

  it('rejects something that is neither a schedule string nor a timetable', () => {
    const error = errorOf(() => resolveSchedule({ every: 'day' } as never, 'UTC'));
    expect(error.message).toContain('{"every":"day"}');
    expect(error.message).toContain("'0 6 * * *'");
  });
});
