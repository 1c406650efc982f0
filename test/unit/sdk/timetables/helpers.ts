import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from '../../../../src/sdk/timetables/index.ts';

export const at = (iso: string): Date => new Date(iso);

export function restriction(overrides: Partial<TimeRestriction> = {}): TimeRestriction {
  return { earliest: null, latest: null, catchup: true, ...overrides };
}

/** A run as ISO strings, so assertions read like what a user sees in the UI. */
export function show(info: DagRunInfo | null) {
  if (info === null) return null;
  return {
    start: info.dataInterval.start.toISOString(),
    end: info.dataInterval.end.toISOString(),
    logicalDate: info.logicalDate.toISOString(),
    runAfter: info.runAfter.toISOString(),
  };
}

export function showInterval(interval: DataInterval) {
  return { start: interval.start.toISOString(), end: interval.end.toISOString() };
}

/** The first `count` automated runs, each planned from the previous one, as a scheduler would. */
export function plannedRuns(
  timetable: Timetable,
  options: { earliest: string; count: number; now?: string },
): { start: string; end: string; runAfter: string }[] {
  const runs: { start: string; end: string; runAfter: string }[] = [];
  let last: DataInterval | null = null;
  for (let i = 0; i < options.count; i++) {
    const info = timetable.nextDagRunInfo({
      lastAutomatedDataInterval: last,
      restriction: restriction({ earliest: at(options.earliest) }),
      now: at(options.now ?? '2030-01-01T00:00:00Z'),
    });
    if (info === null) break;
    runs.push({
      start: info.dataInterval.start.toISOString(),
      end: info.dataInterval.end.toISOString(),
      runAfter: info.runAfter.toISOString(),
    });
    last = info.dataInterval;
  }
  return runs;
}
