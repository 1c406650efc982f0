import { describe, expect, it } from 'vitest';
import { planRunCreation, type RunCreationInput } from '../../../../src/core/scheduling/run-creation.ts';
import { CronDataIntervalTimetable } from '../../../../src/sdk/timetables/index.ts';

const daily = new CronDataIntervalTimetable('0 0 * * *', 'UTC');
const d = (iso: string) => new Date(iso);

function input(overrides: Partial<RunCreationInput> & { catchup?: boolean; endDate?: string | null } = {}): RunCreationInput {
  const { catchup = true, endDate = null, ...rest } = overrides;
  return {
    dag: { dagId: 'etl', maxActiveRuns: 16, lastAutomatedDataInterval: null, nextDagRunCreateAfter: d('2024-01-02T00:00:00Z') },
    serialized: { startDate: '2024-01-01T00:00:00Z', endDate, catchup },
    timetable: daily,
    activeRuns: 0,
    now: d('2024-01-04T12:00:00Z'),
    maxRunsPerTick: 10,
    ...rest,
  };
}

const logicalDates = (plan: ReturnType<typeof planRunCreation>) => plan.runs.map((r) => r.logicalDate.toISOString());

describe('planRunCreation', () => {
  it('with catchup creates every missed interval, oldest first, with idempotent run ids', () => {
    const plan = planRunCreation(input());
    expect(logicalDates(plan)).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z']);
    expect(plan.runs[0]).toEqual({
      runId: 'scheduled__2024-01-01T00:00:00+00:00',
      logicalDate: d('2024-01-01T00:00:00Z'),
      dataInterval: { start: d('2024-01-01T00:00:00Z'), end: d('2024-01-02T00:00:00Z') },
      runAfter: d('2024-01-02T00:00:00Z'),
    });
    expect(plan.lastAutomatedDataInterval).toEqual({ start: d('2024-01-03T00:00:00Z'), end: d('2024-01-04T00:00:00Z') });
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-05T00:00:00Z'));
    expect(plan.changed).toBe(true);
  });

  it('without catchup creates only the latest interval', () => {
    const plan = planRunCreation(input({ catchup: false }));
    expect(logicalDates(plan)).toEqual(['2024-01-03T00:00:00.000Z']);
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-05T00:00:00Z'));
  });

  it('continues after the last automated interval', () => {
    const plan = planRunCreation(
      input({
        dag: {
          dagId: 'etl',
          maxActiveRuns: 16,
          lastAutomatedDataInterval: { start: d('2024-01-02T00:00:00Z'), end: d('2024-01-03T00:00:00Z') },
          nextDagRunCreateAfter: d('2024-01-04T00:00:00Z'),
        },
      }),
    );
    expect(logicalDates(plan)).toEqual(['2024-01-03T00:00:00.000Z']);
  });

  it('creates no more runs than maxActiveRuns allows, and looks again next tick', () => {
    const plan = planRunCreation(input({ activeRuns: 1, dag: { ...input().dag, maxActiveRuns: 2 } }));
    expect(logicalDates(plan)).toEqual(['2024-01-01T00:00:00.000Z']);
    // The next run is already due: the next tick must consider it again.
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-03T00:00:00Z'));
    expect(plan.lastAutomatedDataInterval?.end).toEqual(d('2024-01-02T00:00:00Z'));
  });

  it('creates nothing while the DAG is at maxActiveRuns', () => {
    const plan = planRunCreation(input({ activeRuns: 16 }));
    expect(plan.runs).toEqual([]);
    expect(plan.lastAutomatedDataInterval).toBeNull();
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-02T00:00:00Z'));
    expect(plan.changed).toBe(false);
  });

  it('bounds the runs created in one tick', () => {
    const plan = planRunCreation(input({ maxRunsPerTick: 2 }));
    expect(logicalDates(plan)).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-04T00:00:00Z'));
  });

  it('stops at the end date and then schedules nothing more', () => {
    const plan = planRunCreation(input({ endDate: '2024-01-02T00:00:00Z' }));
    expect(logicalDates(plan)).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    expect(plan.nextDagRunCreateAfter).toBeNull();
  });

  it('creates nothing before the first run is due', () => {
    const plan = planRunCreation(input({ now: d('2024-01-01T18:00:00Z') }));
    expect(plan.runs).toEqual([]);
    expect(plan.nextDagRunCreateAfter).toEqual(d('2024-01-02T00:00:00Z'));
    expect(plan.changed).toBe(false);
  });
});
