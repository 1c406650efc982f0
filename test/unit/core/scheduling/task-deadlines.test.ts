import { describe, expect, it } from 'vitest';
import { newTaskInstance, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedTaskDeadline } from '../../../../src/core/model/serialized-dag.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { findMissedTaskDeadlines, taskDeadlineOf } from '../../../../src/core/scheduling/task-deadlines.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';

const queuedAt = new Date('2025-01-02T06:00:00Z');
const startDate = new Date('2025-01-02T06:02:00Z');
const run = { dagId: 'etl', runId: 'scheduled__2025-01-02' };

function ti(taskId: string, state: TaskInstanceState, extra: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord {
  return { ...newTaskInstance(run, serializedTask(taskId)), state, tryNumber: 1, queuedAt, startDate, ...extra };
}

const tenMinutesAfterStart: SerializedTaskDeadline = { reference: 'task_started_at', intervalSeconds: 600 };

describe('taskDeadlineOf', () => {
  it("counts from the current try's queued or start time, or a fixed instant", () => {
    expect(taskDeadlineOf(tenMinutesAfterStart, ti('a', 'running'))).toEqual(new Date('2025-01-02T06:12:00Z'));
    expect(taskDeadlineOf({ reference: 'task_queued_at', intervalSeconds: 60 }, ti('a', 'queued'))).toEqual(new Date('2025-01-02T06:01:00Z'));
    expect(taskDeadlineOf({ reference: 'fixed_datetime', at: '2025-01-02T09:00:00.000Z', intervalSeconds: -1800 }, ti('a', 'none'))).toEqual(
      new Date('2025-01-02T08:30:00Z'),
    );
  });

  it('has no deadline before the reference exists', () => {
    expect(taskDeadlineOf(tenMinutesAfterStart, ti('a', 'queued', { startDate: null }))).toBeNull();
    expect(taskDeadlineOf({ reference: 'task_queued_at', intervalSeconds: 0 }, ti('a', 'scheduled', { queuedAt: null, startDate: null }))).toBeNull();
  });
});

describe('findMissedTaskDeadlines', () => {
  const deadlines: Record<string, SerializedTaskDeadline> = {
    slow: tenMinutesAfterStart,
    mapped: tenMinutesAfterStart,
    waiting: { reference: 'fixed_datetime', at: '2025-01-02T06:10:00.000Z', intervalSeconds: 0 },
    unstarted: tenMinutesAfterStart,
  };
  const tis = [
    ti('slow', 'running'),
    ti('mapped', 'up_for_retry', { mapIndex: 0 }),
    ti('mapped', 'deferred', { mapIndex: 1 }),
    ti('mapped', 'success', { mapIndex: 2 }),
    ti('mapped', 'removed'),
    ti('waiting', 'none', { tryNumber: 0, queuedAt: null, startDate: null }),
    ti('unstarted', 'queued', { startDate: null }),
    ti('no_deadline', 'running'),
    ti('slow', 'running', { taskId: 'slow', mapIndex: 5, deadlineAlertedAt: new Date('2025-01-02T06:12:00Z') }),
    ti('slow', 'failed', { mapIndex: 6 }),
    ti('slow', 'skipped', { mapIndex: 7 }),
    ti('slow', 'upstream_failed', { mapIndex: 8 }),
  ];
  const keys = (now: Date) => findMissedTaskDeadlines(tis, (taskId) => deadlines[taskId], now).map(({ ti: t }) => `${t.taskId}[${t.mapIndex}]`);

  it('answers the unfinished, unalerted instances whose deadline has passed, every map index on its own', () => {
    const clock = new ManualClock('2025-01-02T06:11:59Z');
    expect(keys(clock.now())).toEqual(['waiting[-1]']);
    clock.advanceSeconds(1);
    expect(keys(clock.now())).toEqual(['slow[-1]', 'mapped[0]', 'mapped[1]', 'waiting[-1]']);
    const [first] = findMissedTaskDeadlines(tis, (taskId) => deadlines[taskId], clock.now());
    expect(first?.deadline).toEqual(new Date('2025-01-02T06:12:00Z'));
  });

  it('alerts an instance again only once a clear removed its mark', () => {
    const cleared = ti('slow', 'running', { deadlineAlertedAt: null });
    expect(findMissedTaskDeadlines([cleared], () => tenMinutesAfterStart, new Date('2025-01-02T07:00:00Z'))).toHaveLength(1);
  });
});
