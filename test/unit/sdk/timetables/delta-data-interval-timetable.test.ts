import { describe, expect, it } from 'vitest';
import { DeltaDataIntervalTimetable, ScheduleError } from '../../../../src/sdk/timetables/index.ts';
import { at, plannedRuns, restriction, show, showInterval } from './helpers.ts';

const hourly = new DeltaDataIntervalTimetable(3600);
const now = at('2024-01-10T12:20:00Z');

describe('DeltaDataIntervalTimetable', () => {
  it('starts the first interval at the start date itself, without aligning, with catchup', () => {
    expect(plannedRuns(hourly, { earliest: '2024-01-01T00:30:00Z', count: 2 })).toEqual([
      { start: '2024-01-01T00:30:00.000Z', end: '2024-01-01T01:30:00.000Z', runAfter: '2024-01-01T01:30:00.000Z' },
      { start: '2024-01-01T01:30:00.000Z', end: '2024-01-01T02:30:00.000Z', runAfter: '2024-01-01T02:30:00.000Z' },
    ]);
  });

  it('without catchup, starts at the latest whole period that has ended', () => {
    const info = hourly.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T00:30:00Z'), end: at('2024-01-01T01:30:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:30:00Z'), catchup: false }),
      now,
    });
    expect(show(info)).toEqual({
      start: '2024-01-10T11:00:00.000Z',
      end: '2024-01-10T12:00:00.000Z',
      logicalDate: '2024-01-10T11:00:00.000Z',
      runAfter: '2024-01-10T12:00:00.000Z',
    });
  });

  it('without catchup and without a start date, still runs the latest period', () => {
    const info = hourly.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction({ catchup: false }), now });
    expect(show(info)?.start).toBe('2024-01-10T11:00:00.000Z');
  });

  it('stops at the end date', () => {
    const info = hourly.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T00:00:00Z'), end: at('2024-01-01T01:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), latest: at('2024-01-01T00:59:59Z') }),
      now,
    });
    expect(info).toBeNull();
  });

  it('infers the period that ends at the trigger time for a manual run', () => {
    expect(showInterval(hourly.inferManualDataInterval(now))).toEqual({
      start: '2024-01-10T11:20:00.000Z',
      end: '2024-01-10T12:20:00.000Z',
    });
  });

  it('shows its period like Airflow does', () => {
    expect(hourly.summary).toBe('1:00:00');
    expect(new DeltaDataIntervalTimetable(86_400).summary).toBe('1 day, 0:00:00');
  });

  it('rejects a period that is not positive', () => {
    expect(() => new DeltaDataIntervalTimetable(0)).toThrow(ScheduleError);
    expect(() => new DeltaDataIntervalTimetable(Number.NaN)).toThrow(/positive number of seconds, e.g. 3600/);
  });
});
