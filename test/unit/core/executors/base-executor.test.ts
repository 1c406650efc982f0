import { describe, expect, it } from 'vitest';
import { attemptId, ExecutorFullError } from '../../../../src/core/executors/base-executor.ts';
import { newTaskInstance, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { RecordingMetrics } from '../../../../src/core/ports/metrics.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';

const run = { dagId: 'etl', runId: 'manual__1' };

function workload(taskId: string, tryNumber = 1): ExecuteTaskWorkload {
  return {
    kind: 'ExecuteTask',
    ti: { ...run, taskId, mapIndex: -1, tryNumber },
    versionId: 'v1',
    bundleKey: 'bundles/etl.mjs',
    logKey: `logs/${taskId}`,
    token: 't',
    queuedAt: '2026-01-01T00:00:00Z',
  };
}

function ti(taskId: string, state: TaskInstanceRecord['state'], tryNumber = 1, externalExecutorId: string | null = null): TaskInstanceRecord {
  return { ...newTaskInstance(run, serializedTask(taskId)), state, tryNumber, executor: 'lambda', externalExecutorId };
}

describe('BaseExecutor', () => {
  it('takes a slot per attempt handed over, and refuses past its parallelism', async () => {
    const executor = new RecordingExecutor('lambda', 2);
    await executor.queueWorkload(workload('a'));
    await executor.queueWorkload(workload('b'));
    expect(executor.slots).toEqual({ parallelism: 2, queued: 2, running: 0, open: 0 });
    await expect(executor.queueWorkload(workload('c'))).rejects.toBeInstanceOf(ExecutorFullError);
    // Sending the same attempt again (stuck in queued) needs no new slot.
    await executor.queueWorkload(workload('a'));
    expect(executor.sent()).toEqual(['a#1', 'b#1', 'a#1']);
  });

  it('takes slots before it awaits, so concurrent sends cannot overshoot, and frees them when a send fails', async () => {
    const executor = new RecordingExecutor('lambda', 2);
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => executor.queueWorkload(workload(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const failing = new RecordingExecutor('lambda', 1);
    failing.failing = true;
    await expect(failing.queueWorkload(workload('a'))).rejects.toThrow('queue unavailable');
    expect(failing.slots.open).toBe(1);
  });

  it('reconciles with the metastore: adopts what it does not know, follows states, forgets what ended', async () => {
    const executor = new RecordingExecutor('lambda', 4);
    await executor.queueWorkload(workload('a'));
    await executor.queueWorkload(workload('b'));
    const notAdopted = await executor.reconcile([ti('a', 'running'), ti('c', 'queued', 2, 'msg-9'), ti('d', 'success')]);
    expect(notAdopted).toEqual([]);
    expect(executor.slots).toEqual({ parallelism: 4, queued: 1, running: 1, open: 2 });
  });

  it('forgets the ended attempts of one run without touching other runs', async () => {
    const executor = new RecordingExecutor('lambda', 4);
    await executor.queueWorkload(workload('a'));
    await executor.queueWorkload({ ...workload('a'), ti: { ...workload('a').ti, runId: 'manual__2' } });
    executor.forgetEndedOfRun(run, [ti('a', 'success')]);
    expect(executor.slots.queued).toBe(1);
    // A newer try of the same task is another attempt: the old one is forgotten.
    await executor.queueWorkload(workload('b', 1));
    executor.forgetEndedOfRun(run, [ti('b', 'queued', 2)]);
    expect(executor.slots.queued).toBe(1);
  });

  it('reports ends through the event buffer once, and frees their slots', async () => {
    const executor = new RecordingExecutor('lambda', 1);
    await executor.queueWorkload(workload('a'));
    executor.report(workload('a').ti, 'failed', 'exit code 137');
    expect(executor.slots.open).toBe(1);
    expect(executor.drainEvents()).toEqual([
      { attempt: workload('a').ti, state: 'failed', reason: 'exit code 137', externalId: 'msg-1' },
    ]);
    expect(executor.drainEvents()).toEqual([]);
  });

  it('emits its slots as metrics with its name as a dimension on each heartbeat', async () => {
    const metrics = new RecordingMetrics();
    const executor = new RecordingExecutor('fargate', 3, metrics);
    await executor.queueWorkload(workload('a'));
    await executor.reconcile([ti('a', 'running'), ti('b', 'queued')]);
    await executor.heartbeat();
    const values = Object.fromEntries(metrics.points.map((p) => [p.name, { value: p.value, dimensions: p.dimensions }]));
    expect(values).toEqual({
      'executor.open_slots': { value: 1, dimensions: { executor: 'fargate' } },
      'executor.queued_slots': { value: 1, dimensions: { executor: 'fargate' } },
      'executor.running_tasks': { value: 1, dimensions: { executor: 'fargate' } },
    });
  });

  it('gives up on stuck queued attempts, freeing their slots', async () => {
    const executor = new RecordingExecutor('lambda', 1);
    await executor.queueWorkload(workload('a'));
    const messages = await executor.cleanupStuckQueued([ti('a', 'queued')]);
    expect(messages).toEqual(['Executor "lambda" gave up on the task instance etl/manual__1/a (try 1) stuck in queued.']);
    expect(executor.slots.open).toBe(1);
  });

  it('stops counting an attempt nothing has confirmed for a while, so a process that never ticks cannot fill up', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const executor = new RecordingExecutor('lambda', 1, undefined, clock);
    await executor.queueWorkload(workload('a'));
    expect(executor.reserveSlot(workload('b').ti)).toBe(false);
    clock.advanceSeconds(200);
    executor.forgetEndedOfRun(run, [ti('a', 'running')]); // a pass over the run confirms it
    clock.advanceSeconds(200);
    expect(executor.reserveSlot(workload('b').ti)).toBe(false);
    clock.advanceSeconds(101);
    expect(executor.reserveSlot(workload('b').ti)).toBe(true);
    expect(executor.slots).toMatchObject({ queued: 1, open: 0 });
  });

  it('lets a queue-backed executor queue past its parallelism, still counting the slots', async () => {
    const executor = new (class extends RecordingExecutor {
      protected override readonly queuesPastParallelism = true;
    })('lambda', 1);
    await executor.queueWorkload(workload('a'));
    expect(executor.reserveSlot(workload('b').ti)).toBe(true);
    await executor.queueWorkload(workload('b'));
    expect(executor.slots).toEqual({ parallelism: 1, queued: 2, running: 0, open: 0 });
  });

  it('identifies an attempt by its task instance and try', () => {
    expect(attemptId(workload('a', 1).ti)).not.toBe(attemptId(workload('a', 2).ti));
  });
});
