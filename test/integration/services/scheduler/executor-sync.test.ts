import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { SchedulerTick, triggerDagRun } from '../../../../src/services/scheduler/index.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, getTi, saveDag, startAttempt, type Harness } from './harness.ts';

/** The executors' part of the tick: slots, adoption, events from the environment, stopping attempts. */

let h: Harness;

beforeAll(async () => {
  h = await createHarness('sched-executors');
});

/** An executor whose environment cannot take over attempts another scheduler process started. */
class NonAdoptingExecutor extends RecordingExecutor {
  readonly stopped: string[] = [];
  override async tryAdoptTaskInstances(tis: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    return [...tis];
  }
  override async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    this.stopped.push(`${ti.taskId}#${ti.tryNumber}: ${reason}`);
  }
}

let dags = 0;
let executors = 0;
/** Task instances record their executor's name: a name per test keeps other tests' attempts out. */
const uniqueExecutorName = () => `lambda_${(executors += 1)}`;

/** A DAG of the given tasks, triggered and started by one tick of a scheduler using `executor`. */
async function startedRun(executor: RecordingExecutor, tasks: SerializedTask[]) {
  dags += 1;
  const dagId = `exec_${dags}`;
  await saveDag(h, dag(dagId, tasks));
  const deps = h.deps({ executors: new ExecutorRegistry([executor]) });
  const run = await triggerDagRun(deps, { dagId });
  const tick = new SchedulerTick(deps);
  const report = await tick.tick();
  return { run, tick, report };
}

describe('executor slots', () => {
  it('queues no more than the executor has slots for, and the rest once slots free up', async () => {
    const executor = new RecordingExecutor(uniqueExecutorName(), 2);
    const { run, tick, report } = await startedRun(executor, [task('a'), task('b'), task('c')]);
    expect(report.tasksQueued).toBe(2);
    expect(executor.sent().sort()).toEqual(['a#1', 'b#1']);
    expect((await getTi(h, run, 'c')).state).toBe('none');

    await startAttempt(h, await getTi(h, run, 'a'));
    await h.metastore.updateTaskInstance({ ...run, taskId: 'a', mapIndex: -1 }, { state: 'success', endDate: h.clock.now() });
    await tick.tick();
    expect(executor.sent().slice(2)).toEqual(['c#1']);
  });
});

describe('executor events', () => {
  it('retries an attempt whose environment failed before it reported, with the environment\'s reason', async () => {
    const executor = new RecordingExecutor(uniqueExecutorName());
    const { run, tick } = await startedRun(executor, [task('work', [], { retries: 1, retryDelaySeconds: 30 })]);
    const ti = await startAttempt(h, await getTi(h, run, 'work'));
    executor.report({ ...run, taskId: 'work', mapIndex: -1, tryNumber: 1 }, 'failed', 'container exited with code 137 (OutOfMemoryError)');
    const report = await tick.tick();
    expect(report.executorEventsApplied).toBe(1);
    expect(await getTi(h, run, 'work')).toMatchObject({
      state: 'up_for_retry',
      tryNumber: ti.tryNumber,
      nextRetryAt: new Date(h.clock.now().getTime() + 30_000),
    });
  });

  it('fails an attempt whose environment ended cleanly but never reported, on its last try', async () => {
    const executor = new RecordingExecutor(uniqueExecutorName());
    const { run, tick } = await startedRun(executor, [task('work')]);
    await startAttempt(h, await getTi(h, run, 'work'));
    executor.report({ ...run, taskId: 'work', mapIndex: -1, tryNumber: 1 }, 'success', 'container exited 0');
    await tick.tick();
    expect((await getTi(h, run, 'work')).state).toBe('failed');
    await tick.tick();
    expect((await h.metastore.getDagRun(run))?.state).toBe('failed');
  });

  it('sends the same try again when the environment lost the attempt (a Spot interruption)', async () => {
    const executor = new RecordingExecutor(uniqueExecutorName());
    const { run, tick } = await startedRun(executor, [task('work')]);
    await startAttempt(h, await getTi(h, run, 'work'));
    executor.report({ ...run, taskId: 'work', mapIndex: -1, tryNumber: 1 }, 'requeue', 'SpotInterruption');
    const report = await tick.tick();
    expect(report).toMatchObject({ executorEventsApplied: 1, tasksRequeuedByExecutors: 1 });
    expect(await getTi(h, run, 'work')).toMatchObject({ state: 'queued', tryNumber: 1, workerId: null });
    expect(executor.sent()).toEqual(['work#1', 'work#1']);
  });

  it('ignores an event about an attempt that already reported', async () => {
    const executor = new RecordingExecutor(uniqueExecutorName());
    const { run, tick } = await startedRun(executor, [task('work')]);
    await startAttempt(h, await getTi(h, run, 'work'));
    await h.metastore.updateTaskInstance({ ...run, taskId: 'work', mapIndex: -1 }, { state: 'success', endDate: h.clock.now() });
    executor.report({ ...run, taskId: 'work', mapIndex: -1, tryNumber: 1 }, 'failed', 'container exited with code 1');
    expect((await tick.tick()).executorEventsApplied).toBe(0);
    expect((await getTi(h, run, 'work')).state).toBe('success');
  });
});

describe('adoption and stopping', () => {
  it('sends again a queued attempt that a new scheduler process cannot adopt', async () => {
    const first = new RecordingExecutor(uniqueExecutorName());
    const { run } = await startedRun(first, [task('work')]);
    // A new process (a new Lambda container) whose executor cannot take over the first one's attempt.
    const successor = new NonAdoptingExecutor(first.name);
    const report = await new SchedulerTick(h.deps({ executors: new ExecutorRegistry([successor]) })).tick();
    expect(report.tasksRequeuedByExecutors).toBe(1);
    expect(successor.sent()).toEqual(['work#1']);
    expect((await getTi(h, run, 'work')).state).toBe('queued');
  });

  it('adopts the queued attempts of a scheduler that died, without sending them twice', async () => {
    const first = new RecordingExecutor(uniqueExecutorName());
    const { run } = await startedRun(first, [task('work')]);
    const successor = new RecordingExecutor(first.name);
    const report = await new SchedulerTick(h.deps({ executors: new ExecutorRegistry([successor]) })).tick();
    expect(report.tasksRequeuedByExecutors).toBe(0);
    expect(successor.sent()).toEqual([]);
    expect(successor.slots).toMatchObject({ queued: 1 });
    expect((await getTi(h, run, 'work')).state).toBe('queued');
  });

  it('stops the attempt in its executor when the scheduler times it out', async () => {
    const executor = new NonAdoptingExecutor(uniqueExecutorName());
    const { run, tick } = await startedRun(executor, [task('work', [], { executionTimeoutSeconds: 60 })]);
    await startAttempt(h, await getTi(h, run, 'work'));
    h.clock.advanceSeconds(60 + 61);
    await h.metastore.updateTaskInstance({ ...run, taskId: 'work', mapIndex: -1 }, { lastHeartbeatAt: h.clock.now() });
    await tick.tick();
    expect((await getTi(h, run, 'work')).state).toBe('failed');
    expect(executor.stopped).toEqual(['work#1: it ran longer than its executionTimeout of 60s']);
  });
});
