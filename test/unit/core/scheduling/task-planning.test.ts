import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { planTaskInstances } from '../../../../src/core/scheduling/task-planning.ts';
import { dag, run, task, ti } from './builders.ts';

const clock = new ManualClock('2024-01-01T12:00:00Z');
const settings = { taskHeartbeatTimeoutSeconds: 300, taskQueuedTimeoutSeconds: 600 };
const r = run('etl');
const ago = (seconds: number) => new Date(clock.now().getTime() - seconds * 1000);

function plan(d: SerializedDag, tis: TaskInstanceRecord[]) {
  return planTaskInstances({ dag: d, run: r, tis, now: clock.now(), settings });
}
const summary = (transitions: ReturnType<typeof plan>) => transitions.map((t) => `${t.kind}:${t.ti.taskId}`);

describe('planTaskInstances', () => {
  it('queues ready roots as the next try, highest priority first, then in task order', () => {
    const d = dag('etl', [task('a'), task('b', [], { priorityWeight: 5 }), task('c'), task('d', ['a'])]);
    const transitions = plan(d, ['a', 'b', 'c', 'd'].map((id) => ti(r, id, 'none')));
    expect(summary(transitions)).toEqual(['queue:b', 'queue:a', 'queue:c']);
    expect(transitions[1]).toMatchObject({
      changes: { state: 'queued', tryNumber: 1, queuedAt: clock.now() },
      condition: { state: 'none', tryNumber: 0 },
    });
  });

  it('leaves waiting tasks alone', () => {
    const d = dag('etl', [task('a'), task('b', ['a'])]);
    expect(plan(d, [ti(r, 'a', 'running', { lastHeartbeatAt: ago(10) }), ti(r, 'b', 'none')])).toEqual([]);
  });

  it('propagates a skip down the graph in one plan', () => {
    const d = dag('etl', [task('a'), task('b', ['a']), task('c', ['b']), task('d', ['c'], { triggerRule: 'all_done' })]);
    const transitions = plan(d, [ti(r, 'a', 'skipped'), ti(r, 'b', 'none'), ti(r, 'c', 'none'), ti(r, 'd', 'none')]);
    expect(summary(transitions)).toEqual(['skip:b', 'skip:c', 'queue:d']);
    expect(transitions[0]).toMatchObject({ changes: { state: 'skipped', endDate: clock.now() }, condition: { state: 'none' } });
  });

  it('propagates upstream_failed and runs a one_failed handler', () => {
    const d = dag('etl', [
      task('a'),
      task('b', ['a']),
      task('c', ['b']),
      task('alert', ['b'], { triggerRule: 'one_failed' }),
    ]);
    const transitions = plan(d, [ti(r, 'a', 'failed'), ti(r, 'b', 'none'), ti(r, 'c', 'none'), ti(r, 'alert', 'none')]);
    expect(summary(transitions)).toEqual(['upstream_failed:b', 'upstream_failed:c', 'queue:alert']);
  });

  it('succeeds ready empty tasks without an executor and moves on to their downstreams', () => {
    const d = dag('etl', [task('start', [], { operator: 'empty' }), task('work', ['start'])]);
    const transitions = plan(d, [ti(r, 'start', 'none'), ti(r, 'work', 'none')]);
    expect(summary(transitions)).toEqual(['succeed_empty:start', 'queue:work']);
    expect(transitions[0]?.changes).toMatchObject({ state: 'success', tryNumber: 1, startDate: clock.now(), endDate: clock.now() });
  });

  it('queues a scheduled task (a queue attempt whose send failed) again', () => {
    const d = dag('etl', [task('a')]);
    expect(summary(plan(d, [ti(r, 'a', 'scheduled', { tryNumber: 0 })]))).toEqual(['queue:a']);
  });

  it('requeues up_for_retry only once its retry delay has passed, as the next try', () => {
    const d = dag('etl', [task('a', [], { retries: 2 })]);
    const waiting = ti(r, 'a', 'up_for_retry', { tryNumber: 1, maxTries: 3, nextRetryAt: new Date(clock.now().getTime() + 1000) });
    expect(plan(d, [waiting])).toEqual([]);
    const due = { ...waiting, nextRetryAt: clock.now() };
    const [transition] = plan(d, [due]);
    expect(transition).toMatchObject({
      kind: 'queue',
      changes: { state: 'queued', tryNumber: 2, nextRetryAt: null },
      condition: { state: 'up_for_retry', tryNumber: 1 },
    });
  });

  it('re-sends a task stuck in queued with the same try', () => {
    const d = dag('etl', [task('a'), task('b')]);
    const transitions = plan(d, [
      ti(r, 'a', 'queued', { queuedAt: ago(601) }),
      ti(r, 'b', 'queued', { queuedAt: ago(599) }),
    ]);
    expect(summary(transitions)).toEqual(['requeue:a']);
    expect(transitions[0]).toMatchObject({ changes: { queuedAt: clock.now() }, condition: { state: 'queued', tryNumber: 1 } });
  });

  it('retries a running task whose heartbeat stopped when it has tries left', () => {
    const d = dag('etl', [task('a', [], { retries: 1, retryDelaySeconds: 60 })]);
    const stale = ti(r, 'a', 'running', { maxTries: 2, workerId: 'w1', startDate: ago(900), lastHeartbeatAt: ago(301) });
    const [transition] = plan(d, [stale]);
    expect(transition).toMatchObject({
      kind: 'retry',
      changes: { state: 'up_for_retry', endDate: clock.now(), nextRetryAt: new Date(clock.now().getTime() + 60_000) },
      condition: { state: 'running', tryNumber: 1, workerId: 'w1' },
    });
    expect(transition?.reason).toContain('no heartbeat');
  });

  it('fails a running task whose heartbeat stopped on its last try', () => {
    const d = dag('etl', [task('a'), task('b', ['a'])]);
    const transitions = plan(d, [ti(r, 'a', 'running', { workerId: 'w1', startDate: ago(400) }), ti(r, 'b', 'none')]);
    expect(summary(transitions)).toEqual(['fail:a', 'upstream_failed:b']);
  });

  it('keeps a running task with a recent heartbeat', () => {
    const d = dag('etl', [task('a')]);
    expect(plan(d, [ti(r, 'a', 'running', { startDate: ago(3600), lastHeartbeatAt: ago(30) })])).toEqual([]);
  });

  it('fails a task past its executionTimeout plus the grace, even while it heartbeats', () => {
    const d = dag('etl', [task('a', [], { executionTimeoutSeconds: 600 })]);
    const within = ti(r, 'a', 'running', { startDate: ago(659), lastHeartbeatAt: ago(5) });
    expect(plan(d, [within])).toEqual([]);
    const [transition] = plan(d, [{ ...within, startDate: ago(661) }]);
    expect(transition?.kind).toBe('fail');
    expect(transition?.reason).toContain('executionTimeout');
  });

  describe('attempts parked by the runner', () => {
    const later = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);

    it('queues an up_for_reschedule task again with the same try once its date has passed', () => {
      const d = dag('etl', [task('sensor')]);
      expect(plan(d, [ti(r, 'sensor', 'up_for_reschedule', { tryNumber: 2, rescheduleDate: later(1) })])).toEqual([]);
      const [transition] = plan(d, [ti(r, 'sensor', 'up_for_reschedule', { tryNumber: 2, rescheduleDate: ago(1) })]);
      expect(transition).toMatchObject({
        kind: 'queue',
        changes: { state: 'queued', tryNumber: 2, rescheduleDate: null, workerId: null },
        condition: { state: 'up_for_reschedule', tryNumber: 2 },
      });
    });

    it('leaves a deferred task waiting until its trigger timeout', () => {
      const d = dag('etl', [task('wait')]);
      const deferred = { trigger: { kind: 'datetime', kwargs: {} }, nextMethod: 'resume', nextKwargs: {} };
      expect(plan(d, [ti(r, 'wait', 'deferred', { ...deferred, triggerTimeout: null })])).toEqual([]);
      expect(plan(d, [ti(r, 'wait', 'deferred', { ...deferred, triggerTimeout: later(5) })])).toEqual([]);
    });

    it('retries a deferred task whose trigger timed out, or fails it on its last try', () => {
      const deferred = { trigger: { kind: 'datetime', kwargs: {} }, nextMethod: 'resume', nextKwargs: {}, triggerTimeout: ago(1) };
      const retrying = plan(dag('etl', [task('wait', [], { retries: 1, retryDelaySeconds: 30 })]), [
        ti(r, 'wait', 'deferred', { ...deferred, maxTries: 2 }),
      ]);
      expect(retrying[0]).toMatchObject({
        kind: 'retry',
        changes: { state: 'up_for_retry', nextRetryAt: later(30), trigger: null, nextMethod: null },
        condition: { state: 'deferred', tryNumber: 1 },
      });
      expect(retrying[0]?.reason).toMatch(/trigger timeout/);
      const failing = plan(dag('etl', [task('wait')]), [ti(r, 'wait', 'deferred', deferred)]);
      expect(failing[0]).toMatchObject({ kind: 'fail', changes: { state: 'failed', endDate: clock.now() } });
    });

    it('resumes a task scheduled by its trigger in the same try, keeping its continuation', () => {
      const d = dag('etl', [task('wait')]);
      const [transition] = plan(d, [ti(r, 'wait', 'scheduled', { tryNumber: 3, nextMethod: 'resume', nextKwargs: { event: 1 } })]);
      expect(transition).toMatchObject({ kind: 'queue', changes: { state: 'queued', tryNumber: 3 } });
      expect(transition?.changes).not.toHaveProperty('nextMethod');
    });
  });
});
