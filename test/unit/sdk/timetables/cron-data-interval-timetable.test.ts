import { describe, expect, it } from 'vitest';
import { CronDataIntervalTimetable } from '../../../../src/sdk/timetables/index.ts';
import { at, restriction, show, showInterval } from './helpers.ts';

const daily = new CronDataIntervalTimetable('0 0 * * *', 'UTC');
const now = at('2024-01-10T12:00:00Z');

describe('CronDataIntervalTimetable', () => {
  it('runs the first interval from the start date once it has ended, with catchup', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)).toEqual({
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-02T00:00:00.000Z',
      logicalDate: '2024-01-01T00:00:00.000Z',
      runAfter: '2024-01-02T00:00:00.000Z',
    });
  });

  it('continues from the end of the last automated interval, with catchup', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T00:00:00Z'), end: at('2024-01-02T00:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)?.start).toBe('2024-01-02T00:00:00.000Z');
    expect(show(info)?.end).toBe('2024-01-03T00:00:00.000Z');
  });

  it('without catchup, starts at the latest interval that has ended', () => {
    const first = daily.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(first)?.start).toBe('2024-01-09T00:00:00.000Z');
    expect(show(first)?.runAfter).toBe('2024-01-10T00:00:00.000Z');
  });

  it('without catchup, skips the missed intervals after a pause', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T00:00:00Z'), end: at('2024-01-02T00:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(info)?.start).toBe('2024-01-09T00:00:00.000Z');
  });

  it('without catchup at exactly a tick, runs the interval that ends now', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ catchup: false }),
      now: at('2024-01-10T00:00:00Z'),
    });
    expect(show(info)?.start).toBe('2024-01-09T00:00:00.000Z');
    expect(show(info)?.end).toBe('2024-01-10T00:00:00.000Z');
  });

  it('without catchup, waits for a start date in the future', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-02-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(info)?.start).toBe('2024-02-01T00:00:00.000Z');
  });

  it('aligns a start date between ticks to the next tick', () => {
    const info = daily.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T10:00:00Z') }),
      now,
    });
    expect(show(info)?.start).toBe('2024-01-02T00:00:00.000Z');
  });

  it('schedules nothing without a start date or a previous run, with catchup', () => {
    expect(daily.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction(), now })).toBeNull();
  });

  it('stops at the end date: an interval starting on it still runs, a later one does not', () => {
    const latest = at('2024-01-05T00:00:00Z');
    const onEnd = daily.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-04T00:00:00Z'), end: at('2024-01-05T00:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), latest }),
      now,
    });
    expect(show(onEnd)?.start).toBe('2024-01-05T00:00:00.000Z');
    const after = daily.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-05T00:00:00Z'), end: at('2024-01-06T00:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), latest }),
      now,
    });
    expect(after).toBeNull();
  });

  it('realigns to the new schedule when the cron changed since the last run', () => {
    const sixAm = new CronDataIntervalTimetable('0 6 * * *', 'UTC');
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T00:00:00Z'), end: at('2024-01-02T00:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)?.start).toBe('2024-01-01T06:00:00.000Z');
    expect(show(info)?.end).toBe('2024-01-02T06:00:00.000Z');
  });

  it('infers the last complete interval for a manual run', () => {
    expect(showInterval(daily.inferManualDataInterval(at('2024-01-25T01:00:00Z')))).toEqual({
      start: '2024-01-24T00:00:00.000Z',
      end: '2024-01-25T00:00:00.000Z',
    });
    expect(showInterval(daily.inferManualDataInterval(at('2024-01-25T00:00:00Z')))).toEqual({
      start: '2024-01-24T00:00:00.000Z',
      end: '2024-01-25T00:00:00.000Z',
    });
  });

  it('evaluates the cron in its timezone', () => {
    const berlin = new CronDataIntervalTimetable('0 0 * * *', 'Europe/Berlin');
    const info = berlin.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)?.start).toBe('2024-01-01T23:00:00.000Z');
    expect(berlin.summary).toBe('0 0 * * *');
    expect(berlin.periodic).toBe(true);
  });
});
