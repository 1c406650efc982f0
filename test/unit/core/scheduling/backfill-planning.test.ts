import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { DagRunState } from '../../../../src/core/model/states.ts';
import {
  backfillRunInfos,
  decideBackfillRun,
  latestRunOf,
  MAX_BACKFILL_RUNS,
  planBackfillRuns,
  runsToBeCreated,
  validateBackfillDirection,
  validateBackfillRange,
} from '../../../../src/core/scheduling/backfill-planning.ts';
import { CronDataIntervalTimetable, CronTriggerTimetable } from '../../../../src/sdk/timetables/index.ts';

const d = (iso: string) => new Date(iso);
const daily = new CronDataIntervalTimetable('0 0 * * *', 'UTC');
const NOW = d('2024-01-10T12:00:00Z');
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

function run(logicalDate: string, state: DagRunState, startDate: string | null = null, runId = `scheduled__${logicalDate}`): DagRunRecord {
  return {
    dagId: 'etl',
    runId,
    state,
    runType: 'scheduled',
    logicalDate: d(logicalDate),
    dataInterval: { start: d(logicalDate), end: d(logicalDate) },
    runAfter: d(logicalDate),
    versionId: 'v1',
    conf: {},
    queuedAt: d(logicalDate),
    startDate: startDate ? d(startDate) : null,
    endDate: null,
    revision: 0,
  };
}

describe('backfillRunInfos', () => {
  it('lists the logical dates of the schedule within [from, to], both bounds included, oldest first', () => {
    const infos = backfillRunInfos({ timetable: daily, fromDate: d('2024-01-02T00:00:00Z'), toDate: d('2024-01-05T00:00:00Z'), runBackwards: false, now: NOW });
    expect(iso(infos.map((i) => i.logicalDate))).toEqual([
      '2024-01-02T00:00:00.000Z',
      '2024-01-03T00:00:00.000Z',
      '2024-01-04T00:00:00.000Z',
      '2024-01-05T00:00:00.000Z',
    ]);
    expect(infos[0]!.dataInterval).toEqual({ start: d('2024-01-02T00:00:00Z'), end: d('2024-01-03T00:00:00Z') });
  });

  it('aligns a from date between ticks to the next tick', () => {
    const infos = backfillRunInfos({ timetable: daily, fromDate: d('2024-01-02T06:00:00Z'), toDate: d('2024-01-04T00:00:00Z'), runBackwards: false, now: NOW });
    expect(iso(infos.map((i) => i.logicalDate))).toEqual(['2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z']);
  });

  it('reverses the order with run_backwards', () => {
    const infos = backfillRunInfos({ timetable: daily, fromDate: d('2024-01-02T00:00:00Z'), toDate: d('2024-01-04T00:00:00Z'), runBackwards: true, now: NOW });
    expect(iso(infos.map((i) => i.logicalDate))).toEqual(['2024-01-04T00:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
  });

  it('leaves out runs whose data interval has not ended yet', () => {
    const infos = backfillRunInfos({ timetable: daily, fromDate: d('2024-01-08T00:00:00Z'), toDate: d('2024-01-12T00:00:00Z'), runBackwards: false, now: NOW });
    // The interval of the 9th ends on the 10th at midnight, before noon; the 10th's ends on the 11th.
    expect(iso(infos.map((i) => i.logicalDate))).toEqual(['2024-01-08T00:00:00.000Z', '2024-01-09T00:00:00.000Z']);
  });

  it('works with cron trigger schedules (logical date = trigger time)', () => {
    const hourly = new CronTriggerTimetable('0 * * * *', 'UTC', { interval: 0 });
    const infos = backfillRunInfos({ timetable: hourly, fromDate: d('2024-01-01T00:30:00Z'), toDate: d('2024-01-01T03:00:00Z'), runBackwards: false, now: NOW });
    expect(iso(infos.map((i) => i.logicalDate))).toEqual(['2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z', '2024-01-01T03:00:00.000Z']);
  });

  it(`refuses a range of more than ${MAX_BACKFILL_RUNS} runs`, () => {
    const minutely = new CronTriggerTimetable('* * * * *', 'UTC', { interval: 0 });
    expect(() =>
      backfillRunInfos({ timetable: minutely, fromDate: d('2024-01-01T00:00:00Z'), toDate: d('2024-01-05T00:00:00Z'), runBackwards: false, now: NOW }),
    ).toThrow(/split it into several backfills/);
  });
});

describe('validateBackfillRange', () => {
  it('refuses a from date after the to date, and a range entirely in the future', () => {
    expect(() => validateBackfillRange({ fromDate: d('2024-01-05T00:00:00Z'), toDate: d('2024-01-01T00:00:00Z'), now: NOW })).toThrow(
      ValidationError,
    );
    expect(() => validateBackfillRange({ fromDate: d('2024-02-01T00:00:00Z'), toDate: d('2024-03-01T00:00:00Z'), now: NOW })).toThrow(
      'Backfill cannot be executed for future dates',
    );
    expect(() => validateBackfillRange({ fromDate: d('2024-01-01T00:00:00Z'), toDate: d('2024-03-01T00:00:00Z'), now: NOW })).not.toThrow();
  });
});

describe('validateBackfillDirection', () => {
  it("refuses a reverse backfill of a DAG with tasks that depend on the past, with Airflow's message and the tasks named", () => {
    expect(() => validateBackfillDirection(true, ['load', 'audit'])).toThrow(
      'Backfill cannot be run in reverse when the DAG has tasks where depends_on_past=True (load, audit). Run it oldest first',
    );
    expect(() => validateBackfillDirection(true, ['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toThrow('(a, b, c, d, e, and 2 more)');
  });

  it('lets a forward backfill, and a reverse one of a DAG without such tasks, through', () => {
    expect(() => validateBackfillDirection(false, ['load'])).not.toThrow();
    expect(() => validateBackfillDirection(true, [])).not.toThrow();
  });
});

describe('decideBackfillRun', () => {
  const cases: Array<[DagRunState, 'none' | 'failed' | 'completed', string]> = [
    ['success', 'none', 'skip:already exists'],
    ['failed', 'none', 'skip:already exists'],
    ['success', 'failed', 'skip:already exists'],
    ['failed', 'failed', 'rerun'],
    ['success', 'completed', 'rerun'],
    ['failed', 'completed', 'rerun'],
    ['running', 'completed', 'skip:in flight'],
    ['queued', 'failed', 'skip:in flight'],
  ];
  it.each(cases)('a %s run with reprocess behavior %s → %s', (state, behavior, expected) => {
    const decision = decideBackfillRun(run('2024-01-02T00:00:00Z', state), behavior);
    expect(decision.action === 'skip' ? `skip:${decision.reason}` : decision.action).toBe(expected);
  });

  it('creates a run where none exists, whatever the behavior', () => {
    expect(decideBackfillRun(null, 'none')).toEqual({ action: 'create' });
  });
});

describe('latestRunOf', () => {
  it('picks the run that started last, runs that never started after all others', () => {
    const never = run('2024-01-02T00:00:00Z', 'queued', null, 'manual__a');
    const early = run('2024-01-02T00:00:00Z', 'failed', '2024-01-03T00:00:00Z', 'scheduled__a');
    const late = run('2024-01-02T00:00:00Z', 'success', '2024-01-04T00:00:00Z', 'manual__b');
    expect(latestRunOf([never, early, late])?.runId).toBe('manual__b');
    expect(latestRunOf([never])?.runId).toBe('manual__a');
    expect(latestRunOf([])).toBeNull();
  });
});

describe('planBackfillRuns', () => {
  it('decides each date of a range where some runs exist, in start order with 1-based ordinals', () => {
    const infos = backfillRunInfos({ timetable: daily, fromDate: d('2024-01-01T00:00:00Z'), toDate: d('2024-01-04T00:00:00Z'), runBackwards: true, now: NOW });
    const existing = [
      run('2024-01-02T00:00:00.000Z', 'failed', '2024-01-03T00:00:00Z'),
      run('2024-01-03T00:00:00.000Z', 'success', '2024-01-04T00:00:00Z'),
      run('2024-01-04T00:00:00.000Z', 'running', '2024-01-05T00:00:00Z'),
    ];
    const plan = planBackfillRuns(infos, existing, 'failed');
    expect(plan.map((p) => [p.sortOrdinal, p.info.logicalDate.toISOString().slice(0, 10), p.decision.action === 'skip' ? p.decision.reason : p.decision.action])).toEqual([
      [1, '2024-01-04', 'in flight'],
      [2, '2024-01-03', 'already exists'],
      [3, '2024-01-02', 'rerun'],
      [4, '2024-01-01', 'create'],
    ]);
    expect(runsToBeCreated(plan).map((p) => p.info.logicalDate.toISOString().slice(0, 10))).toEqual(['2024-01-02', '2024-01-01']);
  });
});
