import { describe, expect, it } from 'vitest';
import { NullTimetable, OnceTimetable } from '../../../../src/sdk/timetables/index.ts';
import { at, restriction, show, showInterval } from './helpers.ts';

const now = at('2024-01-10T12:00:00Z');

describe('OnceTimetable', () => {
  const once = new OnceTimetable();

  it('runs once, at the start date, whatever catchup says', () => {
    for (const catchup of [true, false]) {
      const info = once.nextDagRunInfo({
        lastAutomatedDataInterval: null,
        restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup }),
        now,
      });
      expect(show(info)).toEqual({
        start: '2024-01-01T00:00:00.000Z',
        end: '2024-01-01T00:00:00.000Z',
        logicalDate: '2024-01-01T00:00:00.000Z',
        runAfter: '2024-01-01T00:00:00.000Z',
      });
    }
  });

  it('runs now when the DAG has no start date', () => {
    const info = once.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction(), now });
    expect(show(info)?.runAfter).toBe('2024-01-10T12:00:00.000Z');
  });

  it('never runs again after its run', () => {
    const first = once.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction: restriction(), now });
    expect(first).not.toBeNull();
    const second = once.nextDagRunInfo({ lastAutomatedDataInterval: first!.dataInterval, restriction: restriction(), now });
    expect(second).toBeNull();
  });

  it('does not run when the start date is after the end date', () => {
    const info = once.nextDagRunInfo({
      lastAutomatedDataInterval: null,
      restriction: restriction({ earliest: at('2024-02-01T00:00:00Z'), latest: at('2024-01-31T00:00:00Z') }),
      now,
    });
    expect(info).toBeNull();
  });

  it('describes itself and gives a manual run an empty interval', () => {
    expect(once.summary).toBe('@once');
    expect(once.periodic).toBe(false);
    expect(showInterval(once.inferManualDataInterval(now))).toEqual({
      start: '2024-01-10T12:00:00.000Z',
      end: '2024-01-10T12:00:00.000Z',
    });
  });
});

describe('NullTimetable', () => {
  const manualOnly = new NullTimetable();

  it('never schedules a run', () => {
    for (const catchup of [true, false]) {
      expect(
        manualOnly.nextDagRunInfo({
          lastAutomatedDataInterval: null,
          restriction: restriction({ earliest: at('2024-01-01T00:00:00Z'), catchup }),
          now,
        }),
      ).toBeNull();
    }
  });

  it('gives a manual run an empty interval at its trigger time', () => {
    expect(manualOnly.summary).toBe('None');
    expect(manualOnly.periodic).toBe(false);
    expect(showInterval(manualOnly.inferManualDataInterval(now))).toEqual({
      start: '2024-01-10T12:00:00.000Z',
      end: '2024-01-10T12:00:00.000Z',
    });
  });
});
