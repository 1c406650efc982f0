import type { TaskInstanceRecord } from '../model/records.ts';

/**
 * A rescheduled try whose reschedule date is at most this far away is sent at once with a queue delay
 * (SQS allows up to 15 minutes); later ones are queued by the tick once the date has passed.
 */
export const MAX_DELAYED_REQUEUE_SECONDS = 900;

/**
 * What `externalExecutorId` holds while a delayed delivery of a rescheduled try is out. It names the
 * reschedule date, so a later reschedule of the same try (a new date) is not mistaken for it.
 */
export function delayedRequeueMarker(rescheduleDate: Date): string {
  return `delayed:${rescheduleDate.toISOString()}`;
}

/**
 * Whether planning should leave an up_for_reschedule instance alone because a delayed delivery of it is
 * out: until its reschedule date plus the queued timeout, the delivery is expected to start it; after
 * that the tick queues a copy (the start gate lets only one of them run).
 */
export function awaitsDelayedDelivery(
  ti: Pick<TaskInstanceRecord, 'state' | 'rescheduleDate' | 'externalExecutorId'>,
  now: Date,
  taskQueuedTimeoutSeconds: number,
): boolean {
  if (ti.state !== 'up_for_reschedule' || ti.rescheduleDate === null) return false;
  if (ti.externalExecutorId !== delayedRequeueMarker(ti.rescheduleDate)) return false;
  return now.getTime() <= ti.rescheduleDate.getTime() + taskQueuedTimeoutSeconds * 1000;
}

/** Whole seconds of queue delay for a reschedule date (0 when it has passed); null beyond the queue's limit. */
export function delayedRequeueSeconds(rescheduleDate: Date, now: Date): number | null {
  const seconds = Math.max(0, Math.ceil((rescheduleDate.getTime() - now.getTime()) / 1000));
  return seconds > MAX_DELAYED_REQUEUE_SECONDS ? null : seconds;
}
