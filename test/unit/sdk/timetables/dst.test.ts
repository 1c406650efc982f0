import { describe, expect, it } from 'vitest';
import { CronDataIntervalTimetable, CronTriggerTimetable } from '../../../../src/sdk/timetables/index.ts';
import { plannedRuns } from './helpers.ts';

// 2024 transitions. Berlin: 31 March 02:00 CET → 03:00 CEST; 27 October 03:00 CEST → 02:00 CET.
// New York: 10 March 02:00 EST → 03:00 EDT; 3 November 02:00 EDT → 01:00 EST.
const triggers = (cron: string, tz: string, earliest: string, count: number) =>
  plannedRuns(new CronTriggerTimetable(cron, tz), { earliest, count }).map((run) => run.runAfter);

describe('a daily 02:30 cron fires at that wall-clock time', () => {
  it('Europe/Berlin spring-forward: the skipped 02:30 fires at 03:30 CEST', () => {
    expect(triggers('30 2 * * *', 'Europe/Berlin', '2024-03-30T00:00:00Z', 3)).toEqual([
      '2024-03-30T01:30:00.000Z', // 02:30 CET
      '2024-03-31T01:30:00.000Z', // 03:30 CEST
      '2024-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('Europe/Berlin fall-back: the repeated 02:30 fires once, at its second occurrence', () => {
    expect(triggers('30 2 * * *', 'Europe/Berlin', '2024-10-26T00:00:00Z', 3)).toEqual([
      '2024-10-26T00:30:00.000Z', // 02:30 CEST
      '2024-10-27T01:30:00.000Z', // 02:30 CET (not 02:30 CEST, an hour earlier)
      '2024-10-28T01:30:00.000Z',
    ]);
  });

  it('America/New_York spring-forward: the skipped 02:30 fires at 03:30 EDT', () => {
    expect(triggers('30 2 * * *', 'America/New_York', '2024-03-09T00:00:00Z', 3)).toEqual([
      '2024-03-09T07:30:00.000Z', // 02:30 EST
      '2024-03-10T07:30:00.000Z', // 03:30 EDT
      '2024-03-11T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('America/New_York fall-back: 02:30 is not repeated there, so the day is 25 hours long', () => {
    expect(triggers('30 2 * * *', 'America/New_York', '2024-11-02T00:00:00Z', 3)).toEqual([
      '2024-11-02T06:30:00.000Z', // 02:30 EDT
      '2024-11-03T07:30:00.000Z', // 02:30 EST
      '2024-11-04T07:30:00.000Z',
    ]);
  });

  it('America/New_York fall-back: the repeated 01:30 fires once, at its second occurrence', () => {
    expect(triggers('30 1 * * *', 'America/New_York', '2024-11-02T00:00:00Z', 2)).toEqual([
      '2024-11-02T05:30:00.000Z', // 01:30 EDT
      '2024-11-03T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('data intervals stretch and shrink with the day (Berlin)', () => {
    const timetable = new CronDataIntervalTimetable('30 2 * * *', 'Europe/Berlin');
    expect(plannedRuns(timetable, { earliest: '2024-03-30T00:00:00Z', count: 2 })).toEqual([
      { start: '2024-03-30T01:30:00.000Z', end: '2024-03-31T01:30:00.000Z', runAfter: '2024-03-31T01:30:00.000Z' },
      { start: '2024-03-31T01:30:00.000Z', end: '2024-04-01T00:30:00.000Z', runAfter: '2024-04-01T00:30:00.000Z' },
    ]);
    expect(plannedRuns(timetable, { earliest: '2024-10-26T00:00:00Z', count: 2 })).toEqual([
      { start: '2024-10-26T00:30:00.000Z', end: '2024-10-27T01:30:00.000Z', runAfter: '2024-10-27T01:30:00.000Z' },
      { start: '2024-10-27T01:30:00.000Z', end: '2024-10-28T01:30:00.000Z', runAfter: '2024-10-28T01:30:00.000Z' },
    ]);
  });
});

describe('an hourly cron steps one real hour at a time: no run lost, none doubled', () => {
  it('Europe/Berlin spring-forward: 01:00 CET is followed by 03:00 CEST', () => {
    expect(triggers('0 * * * *', 'Europe/Berlin', '2024-03-30T23:00:00Z', 4)).toEqual([
      '2024-03-30T23:00:00.000Z', // 00:00 CET
      '2024-03-31T00:00:00.000Z', // 01:00 CET
      '2024-03-31T01:00:00.000Z', // 03:00 CEST
      '2024-03-31T02:00:00.000Z', // 04:00 CEST
    ]);
  });

  it('Europe/Berlin fall-back: 02:00 runs twice, once in CEST and once in CET', () => {
    expect(triggers('0 * * * *', 'Europe/Berlin', '2024-10-26T23:00:00Z', 4)).toEqual([
      '2024-10-26T23:00:00.000Z', // 01:00 CEST
      '2024-10-27T00:00:00.000Z', // 02:00 CEST
      '2024-10-27T01:00:00.000Z', // 02:00 CET
      '2024-10-27T02:00:00.000Z', // 03:00 CET
    ]);
  });

  it('America/New_York spring-forward: 01:00 EST is followed by 03:00 EDT', () => {
    expect(triggers('0 * * * *', 'America/New_York', '2024-03-10T06:00:00Z', 3)).toEqual([
      '2024-03-10T06:00:00.000Z', // 01:00 EST
      '2024-03-10T07:00:00.000Z', // 03:00 EDT
      '2024-03-10T08:00:00.000Z', // 04:00 EDT
    ]);
  });

  it('America/New_York fall-back: 01:00 runs twice, once in EDT and once in EST', () => {
    expect(triggers('0 * * * *', 'America/New_York', '2024-11-03T04:00:00Z', 4)).toEqual([
      '2024-11-03T04:00:00.000Z', // 00:00 EDT
      '2024-11-03T05:00:00.000Z', // 01:00 EDT
      '2024-11-03T06:00:00.000Z', // 01:00 EST
      '2024-11-03T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('hourly data intervals are all one hour long across the change (Berlin fall-back)', () => {
    const runs = plannedRuns(new CronDataIntervalTimetable('0 * * * *', 'Europe/Berlin'), {
      earliest: '2024-10-26T23:00:00Z',
      count: 3,
    });
    expect(runs.map((run) => [run.start, run.end])).toEqual([
      ['2024-10-26T23:00:00.000Z', '2024-10-27T00:00:00.000Z'],
      ['2024-10-27T00:00:00.000Z', '2024-10-27T01:00:00.000Z'],
      ['2024-10-27T01:00:00.000Z', '2024-10-27T02:00:00.000Z'],
    ]);
  });
});
