import { formatTaskInstanceKey, type TaskAttemptKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { TaskInstanceState } from '../../core/model/states.ts';
import type { TaskInstanceCondition } from '../../core/ports/metastore.ts';
import type { SlotGateAnswer } from '../pools/slot-lease-gate.ts';
import { AttemptConflictError } from './errors.ts';

/**
 * A rescheduled try is sent at once with a queue delay (reschedule-dispatch.ts) while its instance stays
 * up_for_reschedule, so Airflow users still see that state. Its delivery may then start it straight from
 * up_for_reschedule, but only for the reschedule it was sent for: a later reschedule of the same try, a
 * clear, or a new try each change what is stored, and the stale delivery is refused like any other.
 */
export function delayedStartCondition(
  current: Pick<TaskInstanceRecord, 'state' | 'tryNumber' | 'rescheduleDate'>,
  attempt: Pick<TaskAttemptKey, 'tryNumber'>,
  sentFor: Date | undefined,
): TaskInstanceCondition | null {
  if (sentFor === undefined || current.state !== 'up_for_reschedule' || current.tryNumber !== attempt.tryNumber) return null;
  if (current.rescheduleDate === null || current.rescheduleDate.getTime() !== sentFor.getTime()) return null;
  return { state: 'up_for_reschedule', tryNumber: attempt.tryNumber, rescheduleDate: current.rescheduleDate };
}

/** The attempt's leases for a delayed start, bound to its task and DAG by the caller. */
export interface DelayedStartSlots {
  acquire(): Promise<SlotGateAnswer>;
  /** Gives back what the attempt does not occupy as its task instance is stored now. */
  releaseUnlessHeld(): Promise<void>;
}

/**
 * A delayed delivery starts the try without passing the scheduler, which is where slots are otherwise
 * taken, so it takes them itself before the start write: a full pool (or concurrency limit) refuses the
 * start with `pool_full`, the runner drops the delivery, and the tick queues the try once the delivery
 * is overdue (awaitsDelayedDelivery), through the scheduler's own slot check. A start write that then
 * loses gives the slots back, unless another delivery of the same attempt won and holds them.
 */
export async function startHoldingSlots<T>(attempt: TaskAttemptKey, slots: DelayedStartSlots, start: () => Promise<T>): Promise<T> {
  const answer = await slots.acquire();
  if (!answer.granted) {
    throw new AttemptConflictError(
      'pool_full',
      'up_for_reschedule',
      `Attempt ${attempt.tryNumber} of ${formatTaskInstanceKey(attempt)} cannot start yet: ${answer.reason}. Drop this delivery: ` +
        'the scheduler queues the try once a slot is free.',
    );
  }
  try {
    return await start();
  } catch (error) {
    await slots.releaseUnlessHeld();
    throw error;
  }
}

/** The state that decides which of `attempt`'s slots it still occupies ('none' once another try took over). */
export function attemptStateNow(current: Pick<TaskInstanceRecord, 'state' | 'tryNumber'> | null, attempt: Pick<TaskAttemptKey, 'tryNumber'>): TaskInstanceState {
  return current !== null && current.tryNumber === attempt.tryNumber ? current.state : 'none';
}
