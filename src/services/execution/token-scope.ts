import type { DagRunKey, TaskAttemptKey, TaskInstanceKey } from '../../core/model/keys.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import { ForbiddenError } from './errors.ts';

/**
 * A task token is scoped to one attempt. These checks decide what else it may touch: its own task
 * instance for attempt actions and XCom pushes, any task instance of its own run for XCom pulls.
 */

export function isSameTaskInstance(a: TaskInstanceKey, b: TaskInstanceKey): boolean {
  return a.dagId === b.dagId && a.runId === b.runId && a.taskId === b.taskId && a.mapIndex === b.mapIndex;
}

export function isSameRun(a: DagRunKey, b: DagRunKey): boolean {
  return a.dagId === b.dagId && a.runId === b.runId;
}

export function assertTokenForTaskInstance(token: TaskAttemptKey, target: TaskInstanceKey): void {
  if (!isSameTaskInstance(token, target)) {
    throw new ForbiddenError(
      `This token was issued for ${formatTaskInstanceKey(token)} and cannot act on ${formatTaskInstanceKey(target)}; ` +
        'use the token from the workload of the task instance you are calling about.',
    );
  }
}

export function assertTokenForRun(token: TaskAttemptKey, target: TaskInstanceKey): void {
  if (!isSameRun(token, target)) {
    throw new ForbiddenError(
      `This token was issued for a task of run ${token.dagId}/${token.runId} and cannot read XComs of run ` +
        `${target.dagId}/${target.runId}; a task may only pull XComs from its own DAG run.`,
    );
  }
}

/** The attempt the token names is not the attempt the task instance is on (it was retried or cleared). */
export function staleAttemptError(token: TaskAttemptKey, currentTryNumber: number): ForbiddenError {
  return new ForbiddenError(
    `This token is for attempt ${token.tryNumber} of ${formatTaskInstanceKey(token)}, but the task instance is on ` +
      `attempt ${currentTryNumber}; the old attempt can no longer act. Drop this workload.`,
  );
}
