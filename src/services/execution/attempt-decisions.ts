import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { AttemptEndState } from '../../core/model/states.ts';
import { ValidationError, type UpdraftError } from '../../core/errors.ts';
import type { FinishAttemptRequest } from './attempt-messages.ts';
import { AttemptConflictError } from './errors.ts';
import { staleAttemptError } from './token-scope.ts';
import { triggerSpecProblem } from '../../core/scheduling/triggers.ts';

/**
 * Pure decisions about one attempt, taken on the task instance as stored. Every write that acts on them
 * is still conditional: these decide what to answer when a condition fails, or what to write when it holds.
 */

export interface AttemptActor extends TaskAttemptKey {
  workerId: string;
}

type AttemptView = Pick<TaskInstanceRecord, 'state' | 'tryNumber' | 'workerId'>;

/** Whether the stored instance is the running attempt this worker holds. */
export function holdsAttempt(current: AttemptView, actor: AttemptActor): boolean {
  return current.state === 'running' && current.tryNumber === actor.tryNumber && current.workerId === actor.workerId;
}

/**
 * Why a start (queued → running) did not apply. `null` means the same worker already started this
 * attempt: a repeated start (a retried request) is answered as a success.
 */
export function startConflictError(current: AttemptView, actor: AttemptActor): UpdraftError | null {
  if (current.tryNumber !== actor.tryNumber) return staleAttemptError(actor, current.tryNumber);
  if (current.state === 'running') {
    if (current.workerId === actor.workerId) return null;
    return new AttemptConflictError(
      'running_elsewhere',
      current.state,
      `Attempt ${actor.tryNumber} of ${formatTaskInstanceKey(actor)} is already running on worker "${current.workerId}"; ` +
        'this delivery is a duplicate and must not run the task.',
    );
  }
  return new AttemptConflictError(
    'invalid_state',
    current.state,
    `Attempt ${actor.tryNumber} of ${formatTaskInstanceKey(actor)} cannot start: the task instance is "${current.state}", ` +
      'not "queued". It has already run or was cleared; drop this workload.',
  );
}

/** A refused heartbeat always tells the runner to stop: the attempt is no longer this worker's. */
export function heartbeatConflictError(current: AttemptView, actor: AttemptActor): AttemptConflictError {
  const why =
    current.tryNumber !== actor.tryNumber
      ? `the task instance moved on to attempt ${current.tryNumber}`
      : current.state === 'running'
        ? `worker "${current.workerId}" holds it now`
        : `it is "${current.state}" (cleared, timed out or failed by the scheduler)`;
  return new AttemptConflictError(
    'not_running',
    current.state,
    `Attempt ${actor.tryNumber} of ${formatTaskInstanceKey(actor)} is no longer running on this worker: ${why}. Stop the task.`,
  );
}

export interface FinishRequestView {
  state: AttemptEndState;
  /** false for FailNoRetry: the failure is final whatever retries are left. */
  retryable: boolean;
}

/**
 * The state a finish writes. A retryable failure, or an explicit request to retry, becomes up_for_retry
 * while tries are left and failed after the last (Airflow's rule); every other state is written as asked.
 */
export function finishedStateFor(
  request: FinishRequestView,
  ti: Pick<TaskInstanceRecord, 'tryNumber' | 'maxTries'>,
): AttemptEndState {
  const triesLeft = ti.tryNumber < ti.maxTries;
  if (request.state === 'up_for_retry') return triesLeft ? 'up_for_retry' : 'failed';
  if (request.state === 'failed') return request.retryable && triesLeft ? 'up_for_retry' : 'failed';
  return request.state;
}

/** Whether answering the finish needs the stored record first (the tries left, or who holds the attempt). */
export function finishNeedsRecord(request: FinishAttemptRequest): boolean {
  return (
    request.state === 'failed' ||
    request.state === 'up_for_retry' ||
    request.returnValue !== undefined ||
    (request.assetEvents?.length ?? 0) > 0
  );
}

/** Refuses fields that do not belong to the state reported, and missing ones that do, naming the field. */
export function checkFinishRequest(request: FinishAttemptRequest): void {
  const { state } = request;
  const refuse = (field: string, why: string): never => {
    throw new ValidationError(`The field "${field}" ${why}.`, field);
  };
  if (request.returnValue !== undefined && state !== 'success') refuse('returnValue', `is only accepted with state "success", not "${state}"`);
  if ((request.assetEvents?.length ?? 0) > 0 && state !== 'success') {
    refuse('assetEvents', 'is only accepted with state "success": an attempt that did not succeed updated no asset');
  }
  if (state === 'up_for_reschedule' && request.rescheduleDate === undefined) {
    refuse('rescheduleDate', 'is required with state "up_for_reschedule": say when the task should be tried again');
  }
  if (state !== 'up_for_reschedule' && request.rescheduleDate !== undefined) refuse('rescheduleDate', 'is only accepted with state "up_for_reschedule"');
  if (state !== 'up_for_reschedule' && request.firstRescheduleDate !== undefined) {
    refuse('firstRescheduleDate', 'is only accepted with state "up_for_reschedule"');
  }
  if (state === 'deferred' && request.deferral === undefined) {
    refuse('deferral', 'is required with state "deferred": name the trigger to wait for and the method to resume in');
  }
  if (state !== 'deferred' && request.deferral !== undefined) refuse('deferral', 'is only accepted with state "deferred"');
  const triggerProblem = request.deferral ? triggerSpecProblem(request.deferral.trigger) : null;
  if (triggerProblem) refuse('deferral.trigger', `is not valid: ${triggerProblem}`);
}

/**
 * Why a finish did not apply. `null` means the same finish was applied already (a retried request),
 * which is answered as a success.
 */
export function finishConflictError(
  current: AttemptView,
  actor: AttemptActor,
  finishedState: AttemptEndState,
): UpdraftError | null {
  if (current.tryNumber !== actor.tryNumber) return staleAttemptError(actor, current.tryNumber);
  const sameWorker = current.workerId === null || current.workerId === actor.workerId;
  if (current.state === finishedState && sameWorker) return null;
  return new AttemptConflictError(
    'invalid_state',
    current.state,
    `Attempt ${actor.tryNumber} of ${formatTaskInstanceKey(actor)} cannot finish as "${finishedState}": the task instance ` +
      `is "${current.state}"${current.state === 'running' ? ` on worker "${current.workerId}"` : ''}. ` +
      'It was cleared, timed out or taken over; the result of this attempt is discarded.',
  );
}

