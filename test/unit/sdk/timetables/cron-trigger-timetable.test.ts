import { describe, expect, it } from 'vitest';
import { CronTriggerTimetable, ScheduleError } from '../../../../src/sdk/timetables/index.ts';
import { at, restriction, show, showInterval } from './helpers.ts';

const sixAm = new CronTriggerTimetable('0 6 * * *', 'UTC');
const now = at('2024-01-10T12:00:00Z');

describe('CronTriggerTimetable', () => {
  it('triggers at the first tick on or after the start date, with catchup', () => {
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)).toEqual({
      start: '2024-01-01T06:00:00.000Z',
      end: '2024-01-01T06:00:00.000Z',
      logicalDate: '2024-01-01T06:00:00.000Z',
      runAfter: '2024-01-01T06:00:00.000Z',
    });
  });

  it('triggers at a start date that is exactly a tick', () => {
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T06:00:00Z') }),
      now,
    });
    expect(show(info)?.runAfter).toBe('2024-01-01T06:00:00.000Z');
  });

  it('continues at the tick after the last automated run, with catchup', () => {
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T06:00:00Z'), end: at('2024-01-01T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)?.runAfter).toBe('2024-01-02T06:00:00.000Z');
  });

  it('without catchup, skips to the latest tick that has passed', () => {
    const first = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(first)?.runAfter).toBe('2024-01-10T06:00:00.000Z');
    const afterPause = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-02T06:00:00Z'), end: at('2024-01-02T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(afterPause)?.runAfter).toBe('2024-01-10T06:00:00.000Z');
  });

  it('without catchup, plans the next tick once the latest one has run', () => {
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-10T06:00:00Z'), end: at('2024-01-10T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup: false }),
      now,
    });
    expect(show(info)?.runAfter).toBe('2024-01-11T06:00:00.000Z');
  });

  it('without catchup, waits for a start date in the future', () => {
    const info = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-03-01T09:00:00Z'), catchup: false }),
      now,
    });
    expect(show(info)?.runAfter).toBe('2024-03-02T06:00:00.000Z');
  });

  it('without a start date, runs a tick that just passed, else waits for the next one', () => {
    const hourly = new CronTriggerTimetable('0 * * * *', 'UTC');
    const plan = (iso: string) =>
      show(
        hourly.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction({ catchup: false }), now: at(iso) }),
      )?.runAfter;
    // 10% of an hour is six minutes, more than the five-minute floor.
    expect(plan('2024-01-10T12:06:00Z')).toBe('2024-01-10T12:00:00.000Z');
    expect(plan('2024-01-10T12:07:00Z')).toBe('2024-01-10T13:00:00.000Z');
    const dailyPlan = (iso: string) =>
      show(sixAm.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction(), now: at(iso) }))?.runAfter;
    expect(dailyPlan('2024-01-10T08:00:00Z')).toBe('2024-01-10T06:00:00.000Z');
    expect(dailyPlan('2024-01-10T09:00:00Z')).toBe('2024-01-11T06:00:00.000Z');
  });

  it('stops at the end date: a tick on it still runs, a later one does not', () => {
    const latest = at('2024-01-05T06:00:00Z');
    const onEnd = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-04T06:00:00Z'), end: at('2024-01-04T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), latest }),
      now,
    });
    expect(show(onEnd)?.runAfter).toBe('2024-01-05T06:00:00.000Z');
    const after = sixAm.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-05T06:00:00Z'), end: at('2024-01-05T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), latest }),
      now,
    });
    expect(after).toBeNull();
  });

  it('with an interval, covers the interval before each tick and dates the run at its start', () => {
    const withDay = new CronTriggerTimetable('0 6 * * *', 'UTC', { interval: 86_400 });
    const info = withDay.nextDagRunInfo({
      lastAutomatedDataInterval: { start: at('2024-01-01T06:00:00Z'), end: at('2024-01-02T06:00:00Z') },
      restriction: restriction({ earliest: at('2024-01-01T00:00:00Z') }),
      now,
    });
    expect(show(info)).toEqual({
      start: '2024-01-02T06:00:00.000Z',
      end: '2024-01-03T06:00:00.000Z',
      logicalDate: '2024-01-02T06:00:00.000Z',
      runAfter: '2024-01-03T06:00:00.000Z',
    });
    expect(showInterval(withDay.inferManualDataInterval(at('2024-01-10T12:00:00Z')))).toEqual({
      start: '2024-01-09T12:00:00.000Z',
      end: '2024-01-10T12:00:00.000Z',
    });
  });

  it('gives a manual run an empty interval at its trigger time by default', () => {
    expect(showInterval(sixAm.inferManualDataInterval(at('2024-01-10T12:34:00Z')))).toEqual({
      start: '2024-01-10T12:34:00.000Z',
      end: '2024-01-10T12:34:00.000Z',
    });
  });

  it('expands presets in its summary', () => {
    expect(new CronTriggerTimetable('@hourly', 'UTC').summary).toBe('0 * * * *');
  });

  it('rejects a negative interval', () => {
    expect(() => new CronTriggerTimetable('0 6 * * *', 'UTC', { interval: -60 })).toThrow(ScheduleError);
    expect(() => new CronTriggerTimetable('0 6 * * *', 'UTC', { interval: -60 })).toThrow(/-60.*non-negative/);
  });
});
