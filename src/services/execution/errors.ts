import { NotFoundError, UpdraftError } from '../../core/errors.ts';
import type { TaskInstanceState } from '../../core/model/states.ts';

/** The token is valid but does not entitle its bearer to act on this task instance or attempt. */
export class ForbiddenError extends UpdraftError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class TaskInstanceNotFoundError extends NotFoundError {}

export class XComNotFoundError extends UpdraftError {
  constructor(message: string) {
    super('xcom_not_found', message);
  }
}

/**
 * Why an attempt action was refused because of the task instance's state. The runner acts on the
 * reason: `running_elsewhere` (a duplicate delivery, drop it), `not_running` (stop the task),
 * `invalid_state` (the attempt is over; nothing to do), `pool_full` (a delayed start found no open slot in
 * its pool or concurrency limits; drop the delivery, the scheduler queues the try later).
 */
export type AttemptConflictReason = 'running_elsewhere' | 'invalid_state' | 'not_running' | 'pool_full';

export class AttemptConflictError extends UpdraftError {
  readonly reason: AttemptConflictReason;
  /** The task instance's state now; `none` when the instance was reset. */
  readonly currentState: TaskInstanceState;

  constructor(reason: AttemptConflictReason, currentState: TaskInstanceState, message: string) {
    super(reason, message);
    this.reason = reason;
    this.currentState = currentState;
  }
}
