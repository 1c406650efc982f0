import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const r = run('waits');
const ago = (seconds: number) => new Date(clock.now().getTime() - seconds * 1000);

/** A sensor deferred past its trigger timeout, with tries left, and a task downstream of it. */
function planTimedOut(sensorSettings: Record<string, unknown>, operator = 'sensor') {
  const d = dag('waits', [
    task('wait', [], { operator, retries: 2, templateFields: { sensor: { kind: 's3_key', deferrable: true, ...sensorSettings } } }),
    task('load', ['wait']),
  ]);
  const deferred = ti(r, 'wait', 'deferred', {
    maxTries: 3,
    trigger: { kind: 's3_key', kwargs: { bucket: 'b', key: 'k' } },
    triggerTimeout: ago(1),
    nextMethod: 'execute_complete',
    nextKwargs: { sensorFirstPoke: ago(3600).toISOString() },
  });
  return planTaskInstances({ dag: d, run: r, tis: [deferred, ti(r, 'load', 'none')], now: clock.now(), settings });
}

describe('a sensor deferred past its trigger timeout', () => {
  it('is skipped with softFail, and the skip reaches its downstream in the same plan', () => {
    const transitions = planTimedOut({ softFail: true });
    expect(transitions.map((t) => `${t.kind}:${t.ti.taskId}`)).toEqual(['skip:wait', 'skip:load']);
    expect(transitions[0]).toMatchObject({
      changes: { state: 'skipped', endDate: clock.now(), trigger: null, triggerTimeout: null, nextMethod: null, nextKwargs: null },
      condition: { state: 'deferred', tryNumber: 1 },
      reason: expect.stringMatching(/skipping due to softFail/),
    });
  });

  it('fails without a retry otherwise, as a sensor timeout is not retried', () => {
    const [transition] = planTimedOut({ softFail: false });
    expect(transition).toMatchObject({ kind: 'fail', changes: { state: 'failed', trigger: null, nextMethod: null } });
    expect(transition?.reason).toMatch(/the sensor timed out \(not retried\)/);
  });

  it('leaves other deferred tasks to their retries', () => {
    const [transition] = planTimedOut({ softFail: true }, 'taskflow');
    expect(transition).toMatchObject({ kind: 'retry', changes: { state: 'up_for_retry' } });
  });
});
