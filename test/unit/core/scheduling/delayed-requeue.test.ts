import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import {
  awaitsDelayedDelivery,
  delayedRequeueMarker,
  delayedRequeueSeconds,
} from '../../../../src/core/scheduling/delayed-requeue.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const r = run('etl');
const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
const d = dag('etl', [task('wait')]);
const plan = (record: ReturnType<typeof ti>) => planTaskInstances({ dag: d, run: r, tis: [record], now: clock.now(), settings });

describe('delayedRequeueSeconds', () => {
  it('is the whole seconds until the date (0 once passed), and null beyond the 15 minutes SQS can delay', () => {
    expect(delayedRequeueSeconds(at(299.2), clock.now())).toBe(300);
    expect(delayedRequeueSeconds(at(-5), clock.now())).toBe(0);
    expect(delayedRequeueSeconds(at(900), clock.now())).toBe(900);
    expect(delayedRequeueSeconds(at(901), clock.now())).toBeNull();
  });
});

describe('planning an up_for_reschedule instance whose delivery is out', () => {
  const parked = (rescheduleDate: Date, externalExecutorId: string | null) =>
    ti(r, 'wait', 'up_for_reschedule', { tryNumber: 1, rescheduleDate, externalExecutorId });

  it('leaves it to the delayed delivery until the reschedule date plus the queued timeout', () => {
    const due = at(-60);
    expect(awaitsDelayedDelivery(parked(due, delayedRequeueMarker(due)), clock.now(), 600)).toBe(true);
    expect(plan(parked(due, delayedRequeueMarker(due)))).toEqual([]);
  });

  it('queues the same try itself once the delivery is overdue, or when the mark names another reschedule', () => {
    const overdue = at(-601);
    expect(plan(parked(overdue, delayedRequeueMarker(overdue)))).toMatchObject([{ kind: 'queue', changes: { tryNumber: 1 } }]);
    const due = at(-60);
    expect(plan(parked(due, delayedRequeueMarker(at(-400))))).toMatchObject([{ kind: 'queue' }]);
    expect(plan(parked(due, null))).toMatchObject([{ kind: 'queue' }]);
  });

  it("keeps the try's first reschedule date for the same try and resets it for a new try", () => {
    const first = at(-3600);
    const [same] = plan(ti(r, 'wait', 'up_for_reschedule', { tryNumber: 1, rescheduleDate: at(-1), firstRescheduleDate: first }));
    expect(same?.changes).not.toHaveProperty('firstRescheduleDate');
    const [retry] = plan(ti(r, 'wait', 'up_for_retry', { tryNumber: 1, maxTries: 2, nextRetryAt: at(-1), firstRescheduleDate: first }));
    expect(retry?.changes).toMatchObject({ tryNumber: 2, firstRescheduleDate: null });
  });
});
