import type { FinishTaskRequest } from '../../http/execution-api-client.ts';
import type { deferralOf } from '../../sdk/index.ts';
import type { AttemptInfo } from './attempt-info.ts';

type Deferral = NonNullable<ReturnType<typeof deferralOf>>;

/**
 * The finish request of an attempt that deferred. What only the deferring moment knows is fixed here:
 * a `timedelta` trigger becomes a `datetime` at now + seconds (so a wait is never restarted), an
 * external-run trigger without a logical date waits for the deferring run's own, and the timeout
 * becomes an instant.
 */
export function deferredFinish(deferral: Deferral, now: Date, info: Pick<AttemptInfo, 'logicalDate'>): Omit<FinishTaskRequest, 'workerId' | 'endDate'> {
  let trigger = deferral.trigger;
  if (trigger.kind === 'timedelta') {
    const seconds = Number(trigger.kwargs.seconds ?? 0);
    trigger = { kind: 'datetime', kwargs: { moment: new Date(now.getTime() + Math.max(0, seconds) * 1000).toISOString() } };
  } else if (trigger.kind === 'external_run' && trigger.kwargs.logicalDate === undefined) {
    trigger = { kind: trigger.kind, kwargs: { ...trigger.kwargs, logicalDate: info.logicalDate.toISOString() } };
  }
  return {
    state: 'deferred',
    deferral: {
      trigger,
      nextMethod: deferral.method,
      nextKwargs: deferral.kwargs,
      triggerTimeout: deferral.timeoutSeconds === null ? null : new Date(now.getTime() + deferral.timeoutSeconds * 1000).toISOString(),
    },
  };
}

/** A line for the task log: what the attempt waits for. */
export function describeDeferral(request: Omit<FinishTaskRequest, 'workerId' | 'endDate'>): string {
  const deferral = request.deferral;
  if (!deferral) return 'Deferring the task.';
  const until = deferral.triggerTimeout ? `; it fails if nothing fires by ${deferral.triggerTimeout}` : '';
  return `Deferring the task until its "${deferral.trigger.kind}" trigger fires (${JSON.stringify(deferral.trigger.kwargs)}); it resumes in "${deferral.nextMethod}"${until}.`;
}
