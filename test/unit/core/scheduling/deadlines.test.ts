import { describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDeadline } from '../../../../src/core/model/serialized-dag.ts';
import type { DagRunState } from '../../../../src/core/model/states.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { deadlineOf, findMissedDeadlines } from '../../../../src/core/scheduling/deadlines.ts';

const queuedAt = new Date('2025-01-02T06:05:00Z');
const logicalDate = new Date('2025-01-02T00:00:00Z');

function run(runId: string, state: DagRunState = 'running', extra: Partial<DagRunRecord> = {}): DagRunRecord {
  return {
    dagId: 'etl',
    runId,
    state,
    runType: 'scheduled',
    logicalDate,
    dataInterval: { start: new Date('2025-01-01T00:00:00Z'), end: logicalDate },
    runAfter: logicalDate,
    versionId: 'v1',
    conf: {},
    queuedAt,
    startDate: queuedAt,
    endDate: null,
    revision: 1,
    ...extra,
  };
}

const fifteenMinutesAfterQueued: SerializedDeadline = { reference: 'dagrun_queued_at', intervalSeconds: 900 };

describe('deadlineOf', () => {
  it('counts from when the run was queued, its logical date, or a fixed instant', () => {
    expect(deadlineOf(fifteenMinutesAfterQueued, run('a'))).toEqual(new Date('2025-01-02T06:20:00Z'));
    expect(deadlineOf({ reference: 'dagrun_logical_date', intervalSeconds: 7200 }, run('a'))).toEqual(new Date('2025-01-02T02:00:00Z'));
    // A negative interval falls before the reference: "alert 30 minutes before the report is due".
    expect(deadlineOf({ reference: 'fixed_datetime', at: '2025-01-02T09:00:00.000Z', intervalSeconds: -1800 }, run('a'))).toEqual(
      new Date('2025-01-02T08:30:00Z'),
    );
  });
});

describe('findMissedDeadlines', () => {
  const clock = new ManualClock('2025-01-02T06:19:59Z');

  it('finds only active runs past their deadline that were not alerted yet', () => {
    const runs = [
      run('running'),
      run('queued', 'queued'),
      run('succeeded', 'success', { endDate: new Date('2025-01-02T06:10:00Z') }),
      run('failed', 'failed', { endDate: new Date('2025-01-02T06:30:00Z') }),
      run('alerted', 'running', { deadlineAlertedAt: new Date('2025-01-02T06:21:00Z') }),
    ];
    expect(findMissedDeadlines(runs, () => fifteenMinutesAfterQueued, clock.now())).toEqual([]);
    clock.advanceSeconds(1);
    const missed = findMissedDeadlines(runs, () => fifteenMinutesAfterQueued, clock.now());
    expect(missed.map((m) => [m.run.runId, m.deadline.toISOString()])).toEqual([
      ['running', '2025-01-02T06:20:00.000Z'],
      ['queued', '2025-01-02T06:20:00.000Z'],
    ]);
  });

  it('skips runs whose DAG version has no deadline', () => {
    clock.set('2030-01-01T00:00:00Z');
    expect(findMissedDeadlines([run('a'), run('b')], (r) => (r.runId === 'a' ? null : undefined), clock.now())).toEqual([]);
  });
});
