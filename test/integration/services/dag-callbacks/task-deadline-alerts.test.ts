import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsExecutor } from '../../../../src/aws/sqs/sqs-executor.ts';
import type { TaskInstanceKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { RunDagCallbackWorkload } from '../../../../src/core/model/workload.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { silentLogger, type Logger } from '../../../../src/core/ports/logger.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { TaskInstanceClearer } from '../../../../src/services/clearing/index.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps } from '../../../../src/services/scheduler/index.ts';
import { SchedulerTick } from '../../../../src/services/scheduler/scheduler-tick.ts';
import { alertMissedTaskDeadlines } from '../../../../src/services/scheduler/task-deadline-step.ts';
import type { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import { dagCallbackLogKey } from '../../../../src/services/task-runner/dag-callbacks.ts';
import { createWorkerHandler } from '../../../../src/services/task-runner/worker-handler.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { sqsEvent } from '../../../support/sqs-messages.ts';
import { createCallbackHarness, type CallbackHarness } from './callback-harness.ts';

const DAG_SOURCE = fileURLToPath(new URL('./dags/task-deadline-dag.ts', import.meta.url));
const DAG_ID = 'task_deadlines';
const VERSION_ID = 'task-deadlines-v1';
const T0 = new Date('2024-06-01T06:00:00Z');

let h: CallbackHarness;
let storage: EmulatorStorage;
let served: ServedApi;
let bundleLoader: BundleLoader;
let clock: ManualClock;
let deps: SchedulerDeps;
let logged: CallbackHarness['logged'];
const seen: string[] = [];
const recordingLogger = (): Logger => h.logger();

beforeAll(async () => {
  (globalThis as { __updraftTaskDeadlineTest?: string[] }).__updraftTaskDeadlineTest = seen;
  h = await createCallbackHarness({ name: 'task-deadlines', dagSource: DAG_SOURCE, versionId: VERSION_ID, start: T0 });
  ({ storage, served, bundleLoader, clock, logged } = h);
  // Tasks go to the recording executor (the default); callbacks to the only executor that can send them.
  const tasks = new RecordingExecutor('lambda', undefined, undefined, clock);
  const callbacks = new SqsExecutor({ client: h.sqs, queueUrl: h.queueUrl, name: 'callbacks', clock });
  deps = {
    metastore: storage.metastore,
    executors: new ExecutorRegistry([tasks, callbacks]),
    clock,
    tokens: h.tokens,
    logger: recordingLogger(),
    dagVersions: h.dagVersions,
    settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'scheduler-task-deadlines' },
  };
});

afterAll(async () => {
  await h?.close();
});

const drainQueue = (): Promise<string[]> => h.drainQueue();

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const key = (run: DagRunRecord, taskId: string): TaskInstanceKey => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1 });
const tick = () => new SchedulerTick(deps).tick();

/** What the worker's start call does: queued → running, now. */
async function start(ti: TaskInstanceKey): Promise<TaskInstanceRecord> {
  const now = clock.now();
  return storage.metastore.updateTaskInstance(ti, { state: 'running', workerId: 'worker-1', startDate: now, lastHeartbeatAt: now }, { state: 'queued' });
}

/** The running attempt's heartbeat, so the tick does not take it for a dead worker. */
async function heartbeat(ti: TaskInstanceKey): Promise<void> {
  await storage.metastore.updateTaskInstance(ti, { lastHeartbeatAt: clock.now() }, { state: 'running' });
}

async function finish(ti: TaskInstanceKey): Promise<void> {
  await storage.metastore.updateTaskInstance(ti, { state: 'success', endDate: clock.now() }, { state: 'running' });
}

describe('task deadline alerts through the scheduler tick', () => {
  it('alerts a late task instance once, never a finished one, and again after a clear; the worker runs its callback from the bundle', async () => {
    const run = runningManualRun(DAG_ID, VERSION_ID, T0, {}, T0);
    await storage.metastore.createDagRun(run);
    const slow = key(run, 'slow');
    const quick = key(run, 'quick');

    // The first tick creates and queues both tasks; both start, and quick finishes before its deadline.
    await tick();
    await start(slow);
    await start(quick);
    clock.set(at(60));
    await finish(quick);

    clock.set(at(599));
    await heartbeat(slow);
    expect((await tick()).errors).toBe(0);
    expect(await drainQueue()).toEqual([]);

    // Ten minutes after slow started: one alert; the tick after it (same instant) sends none.
    clock.set(at(600));
    await heartbeat(slow);
    const stale = await storage.metastore.listTaskInstances(run);
    expect((await tick()).errors).toBe(0);
    await tick();
    // A tick that still holds the unmarked records (it overlapped this one) loses the conditional write.
    expect(await alertMissedTaskDeadlines(deps, [{ run, instances: stale }], clock.now(), 4)).toEqual({ alerted: 0, errors: 0 });
    const bodies = await drainQueue();
    expect(bodies).toHaveLength(1);
    const workload = JSON.parse(bodies[0]!) as RunDagCallbackWorkload;
    expect(workload).toMatchObject({
      kind: 'RunDagCallback',
      event: 'deadline',
      reason: 'deadline_missed',
      runId: run.runId,
      deadlineAt: at(600).toISOString(),
      task: { taskId: 'slow', mapIndex: -1, tryNumber: 1, state: 'running' },
    });
    expect((await storage.metastore.getTaskInstance(slow))?.deadlineAlertedAt).toEqual(at(600));
    expect((await storage.metastore.getTaskInstance(quick))?.deadlineAlertedAt).toBeUndefined();

    // The worker runs slow's callbacks: the throwing one is logged, the next still runs; nothing changes state.
    const worker = createWorkerHandler({ apiBaseUrl: served.url, objectStore: storage.objectStore, workerId: 'worker-cb', logger: recordingLogger(), bundleLoader });
    expect((await worker(sqsEvent(bodies))).batchItemFailures).toEqual([]);
    expect(seen).toEqual([`deadline ${run.runId} slow[-1] try=1 running deadline_missed team=data-eng deadline=${at(600).toISOString()}`]);
    const log = (await storage.objectStore.getText(dagCallbackLogKey(workload))) ?? '';
    expect(dagCallbackLogKey(workload)).toMatch(/callbacks\/deadline\/task_id=slow\.log$/);
    expect(log).toMatch(/ERROR The deadline alert callback 1 \(function boom\d*\) failed; the run's state is unchanged: Error: the pager is down/);
    expect(log).toContain('INFO recorded deadline of slow');
    expect((await storage.metastore.getTaskInstance(slow))?.state).toBe('running');

    // slow ends late and the run succeeds; clearing slow lets its next try alert again.
    await finish(slow);
    await tick();
    expect((await storage.metastore.getDagRun(run))?.state).toBe('success');
    const clearer = new TaskInstanceClearer({ metastore: storage.metastore, objectStore: storage.objectStore, clock, logger: silentLogger, executors: deps.executors });
    const finished = (await storage.metastore.getDagRun(run))!;
    const selection = { taskIds: ['slow'], onlyFailed: false, onlyRunning: false, includeUpstream: false, includeDownstream: false };
    await clearer.clear({ runs: [finished], selection, dryRun: false, resetDagRuns: true });
    expect((await storage.metastore.getTaskInstance(slow))?.deadlineAlertedAt).toBeUndefined();

    clock.set(at(900));
    await tick(); // Starts the run again and queues slow's second try.
    expect((await storage.metastore.getTaskInstance(slow))?.state).toBe('queued');
    await start(slow);
    clock.set(at(1500));
    await heartbeat(slow);
    await tick();
    const again = (await drainQueue()).map((body) => JSON.parse(body) as RunDagCallbackWorkload);
    expect(again.map((w) => [w.task, w.deadlineAt])).toEqual([[{ taskId: 'slow', mapIndex: -1, tryNumber: 2, state: 'running' }, at(1500).toISOString()]]);
    expect(logged.filter((line) => line.level === 'error')).toEqual([expect.objectContaining({ message: expect.stringContaining('the pager is down') })]);
  });
});
