import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import {
  awaitsTriggerer,
  firedTimeTrigger,
  isSameTrigger,
  resumeKwargs,
  triggerSpecProblem,
} from '../../../../src/core/scheduling/triggers.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000).toISOString();
const datetime = (moment: string) => ({ kind: 'datetime', kwargs: { moment } });

describe('time triggers', () => {
  it('fire at or after their moment, with the moment as the event, and not before', () => {
    expect(firedTimeTrigger(datetime(at(1)), clock.now())).toBeNull();
    expect(firedTimeTrigger(datetime(at(0)), clock.now())).toEqual({ payload: '2024-01-01T12:00:00.000Z' });
    expect(firedTimeTrigger(datetime(at(-90)), clock.now())).toEqual({ payload: '2024-01-01T11:58:30.000Z' });
  });

  it('are never fired for another kind or a malformed moment', () => {
    expect(firedTimeTrigger({ kind: 's3_key', kwargs: { moment: at(-1) } }, clock.now())).toBeNull();
    expect(firedTimeTrigger(datetime('not a date'), clock.now())).toBeNull();
  });

  it('leave only I/O triggers to the triggerer', () => {
    expect(awaitsTriggerer({ state: 'deferred', trigger: datetime(at(5)) })).toBe(false);
    expect(awaitsTriggerer({ state: 'deferred', trigger: { kind: 's3_key', kwargs: {} } })).toBe(true);
    expect(awaitsTriggerer({ state: 'deferred', trigger: { kind: 'my_custom', kwargs: {} } })).toBe(true);
    expect(awaitsTriggerer({ state: 'scheduled', trigger: { kind: 's3_key', kwargs: {} } })).toBe(false);
  });
});

describe('trigger specs', () => {
  it('accept the built-ins with their required arguments and custom names', () => {
    expect(triggerSpecProblem(datetime(at(5)))).toBeNull();
    expect(triggerSpecProblem({ kind: 's3_key', kwargs: { bucket: 'b', key: 'k' } })).toBeNull();
    expect(
      triggerSpecProblem({ kind: 'external_run', kwargs: { dagId: 'up', logicalDate: at(0), allowedStates: ['success'], failedStates: [] } }),
    ).toBeNull();
    expect(triggerSpecProblem({ kind: 'http', kwargs: { url: 'https://example.com' } })).toBeNull();
    expect(triggerSpecProblem({ kind: 'export_ready', kwargs: {} })).toBeNull();
  });

  it('say what is missing or wrong', () => {
    expect(triggerSpecProblem(datetime('soon'))).toMatch(/kwargs\.moment/);
    expect(triggerSpecProblem({ kind: 'timedelta', kwargs: { seconds: 5 } })).toMatch(/must be turned into a "datetime"/);
    expect(triggerSpecProblem({ kind: 's3_key', kwargs: { bucket: 'b' } })).toMatch(/kwargs\.bucket and kwargs\.key/);
    expect(triggerSpecProblem({ kind: 'external_run', kwargs: { dagId: 'up' } })).toMatch(/logicalDate/);
    expect(triggerSpecProblem({ kind: 'http', kwargs: {} })).toMatch(/kwargs\.url/);
    expect(triggerSpecProblem({ kind: 'no spaces!', kwargs: {} })).toMatch(/not a trigger kind/);
  });

  it('compare by kind and arguments, whatever the key order', () => {
    expect(isSameTrigger({ kind: 's3_key', kwargs: { bucket: 'b', key: 'k' } }, { kind: 's3_key', kwargs: { key: 'k', bucket: 'b' } })).toBe(true);
    expect(isSameTrigger({ kind: 's3_key', kwargs: { bucket: 'b', key: 'k' } }, { kind: 's3_key', kwargs: { bucket: 'b', key: 'j' } })).toBe(false);
    expect(resumeKwargs({ page: 2 }, { size: 1 })).toEqual({ page: 2, event: { size: 1 } });
    expect(resumeKwargs(null, undefined)).toEqual({ event: null });
  });
});

describe('planning a deferred task', () => {
  const r = run('etl');
  const d = dag('etl', [task('wait')]);
  const plan = (tis: TaskInstanceRecord[]) =>
    planTaskInstances({ dag: d, run: r, tis, now: clock.now(), settings: { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 } });
  const deferred = (overrides: Partial<TaskInstanceRecord>) =>
    ti(r, 'wait', 'deferred', { tryNumber: 2, maxTries: 3, nextMethod: 'execute_complete', nextKwargs: { page: 1 }, triggerTimeout: null, ...overrides });

  it('queues the same try with the event once its time trigger is due, and not before', () => {
    expect(plan([deferred({ trigger: datetime(at(30)) })])).toEqual([]);
    const [transition] = plan([deferred({ trigger: datetime(at(-1)) })]);
    expect(transition).toMatchObject({
      kind: 'queue',
      changes: { state: 'queued', tryNumber: 2, trigger: null, triggerTimeout: null, nextKwargs: { page: 1, event: '2024-01-01T11:59:59.000Z' } },
      condition: { state: 'deferred', tryNumber: 2 },
    });
    expect(transition!.changes.nextMethod).toBeUndefined();
  });

  it('applies the trigger timeout first, and leaves I/O triggers to the triggerer', () => {
    const [timedOut] = plan([deferred({ trigger: datetime(at(-1)), triggerTimeout: new Date(at(-1)) })]);
    expect(timedOut).toMatchObject({ kind: 'retry', changes: { state: 'up_for_retry', nextMethod: null, nextKwargs: null } });
    expect(plan([deferred({ trigger: { kind: 's3_key', kwargs: { bucket: 'b', key: 'k' } } })])).toEqual([]);
  });

  it('resumes again a deferred task without a trigger (a resume whose send failed was put back)', () => {
    const [transition] = plan([deferred({ trigger: null, nextKwargs: { page: 1, event: 'x' } })]);
    expect(transition).toMatchObject({ kind: 'queue', changes: { state: 'queued', tryNumber: 2 } });
    expect(transition!.changes.nextKwargs).toBeUndefined();
  });
});
