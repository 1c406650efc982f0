import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { TerminalAttemptState } from '../../core/model/states.ts';
import type { UpdraftError } from '../../core/errors.ts';
import { AttemptConflictError } from './errors.ts';
import { staleAttemptError } from './token-scope.ts';

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
  state: 'success' | 'failed' | 'skipped';
  /** false for FailNoRetry: the failure is final whatever retries are left. */
  retryable: boolean;
}

/** The state a finish writes: a retryable failure with tries left becomes up_for_retry (Airflow's rule). */
export function finishedStateFor(
  request: FinishRequestView,
  ti: Pick<TaskInstanceRecord, 'tryNumber' | 'maxTries'>,
): TerminalAttemptState {
  if (request.state !== 'failed') return request.state;
  return request.retryable && ti.tryNumber < ti.maxTries ? 'up_for_retry' : 'failed';
}

/**
 * Why a finish did not apply. `null` means the same finish was applied already (a retried request),
 * which is answered as a success.
 */
export function finishConflictError(
  current: AttemptView,
  actor: AttemptActor,
  finishedState: TerminalAttemptState,
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

