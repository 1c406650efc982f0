import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedTaskDeadline } from '../model/serialized-dag.ts';
import { FINISHED_TASK_STATES } from '../model/states.ts';

/**
 * When a task instance's deadline falls: its reference instant plus the interval (which may be
 * negative). null while the reference is unknown: an instance whose current try was not queued (or
 * has not started) yet has no TASK_QUEUED_AT (TASK_STARTED_AT) deadline.
 */
export function taskDeadlineOf(deadline: SerializedTaskDeadline, ti: Pick<TaskInstanceRecord, 'queuedAt' | 'startDate'>): Date | null {
  const reference =
    deadline.reference === 'fixed_datetime' ? new Date(deadline.at) : deadline.reference === 'task_queued_at' ? ti.queuedAt : ti.startDate;
  return reference === null ? null : new Date(reference.getTime() + deadline.intervalSeconds * 1000);
}

export interface MissedTaskDeadline {
  ti: TaskInstanceRecord;
  deadline: Date;
}

/**
 * The task instances (every map index) of a running run whose task's deadline has passed and that
 * were not alerted yet. Finished instances never count: one that finished before its deadline never
 * alerts, and one that finishes later is alerted only if a check saw it unfinished. A mapped task's
 * placeholder (map index -1) stands for the task until it is expanded, then it is `removed` (finished).
 * `deadlineFor` answers a task's deadline in the run's DAG version, or null/undefined when it has none.
 */
export function findMissedTaskDeadlines(
  tis: readonly TaskInstanceRecord[],
  deadlineFor: (taskId: string) => SerializedTaskDeadline | null | undefined,
  now: Date,
): MissedTaskDeadline[] {
  const missed: MissedTaskDeadline[] = [];
  for (const ti of tis) {
    if (FINISHED_TASK_STATES.has(ti.state) || (ti.deadlineAlertedAt ?? null) !== null) continue;
    const spec = deadlineFor(ti.taskId);
    if (!spec) continue;
    const deadline = taskDeadlineOf(spec, ti);
    if (deadline !== null && deadline.getTime() <= now.getTime()) missed.push({ ti, deadline });
  }
  return missed;
}
