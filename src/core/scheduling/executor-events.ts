import type { DagRunRecord, TaskInstanceRecord } from '../model/records.ts';
import type { SerializedTask } from '../model/serialized-dag.ts';
import type { ExecutorEvent } from '../ports/executor.ts';
import type { TaskInstanceCondition } from '../ports/metastore.ts';
import { failOrRetry, type TaskTransition } from './task-planning.ts';

/**
 * What an executor's event means for the task instance (Airflow's `_process_executor_events`). The
 * runner reports the task's own state through the Execution API; an event only matters when the
 * instance is still queued or running on the same try, that is, when the environment ended the
 * attempt before it could report:
 * - `failed`, or `success` with nothing reported: the attempt failed (retries apply), with the
 *   environment's reason;
 * - `requeue` (Spot interruption, never started): the same try is queued again, not counted.
 * Anything else (already reported, cleared, a newer try) is not this event's business: null.
 */
export function planExecutorEvent(input: {
  event: ExecutorEvent;
  ti: TaskInstanceRecord | null;
  task: SerializedTask | undefined;
  run: DagRunRecord;
  now: Date;
}): TaskTransition | null {
  const { event, ti, task, run, now } = input;
  if (!ti || !task || ti.tryNumber !== event.attempt.tryNumber) return null;
  if (ti.state !== 'queued' && ti.state !== 'running') return null;
  const condition: TaskInstanceCondition = { state: ti.state, tryNumber: ti.tryNumber, workerId: ti.workerId };
  if (event.state === 'requeue') return requeueTransition(task, ti, now, `the executor lost the attempt: ${event.reason}`);
  const what =
    event.state === 'success'
      ? `the executor saw the attempt end (${event.reason}) but it never reported a result`
      : `the executor reports the attempt failed: ${event.reason}`;
  return failOrRetry(task, ti, { now, run }, condition, what);
}

/** The same try, queued again: for an attempt its executor lost or could not adopt. */
export function requeueTransition(task: SerializedTask, ti: TaskInstanceRecord, now: Date, reason: string): TaskTransition {
  return {
    kind: 'requeue',
    ti,
    task,
    changes: { state: 'queued', queuedAt: now, workerId: null, lastHeartbeatAt: null, startDate: null, externalExecutorId: null },
    condition: { state: ti.state, tryNumber: ti.tryNumber, workerId: ti.workerId },
    reason,
  };
}
