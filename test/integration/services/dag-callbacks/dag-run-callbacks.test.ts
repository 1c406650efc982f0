import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsExecutor } from '../../../../src/aws/sqs/sqs-executor.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import type { RunDagCallbackWorkload } from '../../../../src/core/model/workload.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { alertMissedDeadlines } from '../../../../src/services/scheduler/deadline-step.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps } from '../../../../src/services/scheduler/index.ts';
import { RunScheduler } from '../../../../src/services/scheduler/run-scheduler.ts';
import type { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import { dagCallbackLogKey } from '../../../../src/services/task-runner/dag-callbacks.ts';
import { createWorkerHandler } from '../../../../src/services/task-runner/worker-handler.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { sqsEvent } from '../../../support/sqs-messages.ts';
import { createCallbackHarness, type CallbackHarness } from './callback-harness.ts';

const DAG_SOURCE = fileURLToPath(new URL('./dags/run-callbacks-dag.ts', import.meta.url));
const DAG_ID = 'run_callbacks';
const VERSION_ID = 'callbacks-v1';
const T0 = new Date('2024-05-01T06:00:00Z');

let h: CallbackHarness;
let storage: EmulatorStorage;
let sqs: CallbackHarness['sqs'];
let served: ServedApi;
let bundleLoader: BundleLoader;
let clock: ManualClock;
let deps: SchedulerDeps;
let serialized: SerializedDag;
let logged: CallbackHarness['logged'];
const seen: string[] = [];
const recordingLogger = (): Logger => h.logger();

beforeAll(async () => {
  (globalThis as { __updraftDagCallbackTest?: string[] }).__updraftDagCallbackTest = seen;
  h = await createCallbackHarness({ name: 'dag-callbacks', dagSource: DAG_SOURCE, versionId: VERSION_ID, start: T0 });
  ({ storage, sqs, served, bundleLoader, clock, serialized, logged } = h);
  deps = {
    metastore: storage.metastore,
    executors: new ExecutorRegistry([new SqsExecutor({ client: sqs, queueUrl: h.queueUrl, name: 'lambda', clock })]),
    clock,
    tokens: h.tokens,
    logger: recordingLogger(),
    dagVersions: h.dagVersions,
    settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'scheduler-callbacks' },
  };
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  logged.length = 0;
  seen.length = 0;
});

let runs = 0;
/** A running run whose only task already ended in `state`. */
async function runWithTask(state: 'success' | 'failed' | 'running'): Promise<DagRunRecord> {
  runs += 1;
  const run = runningManualRun(DAG_ID, VERSION_ID, new Date(Date.UTC(2024, 3, runs)), {}, clock.now());
  await storage.metastore.createDagRun(run);
  await storage.metastore.createTaskInstances(
    serialized.tasks.map((task) => ({ ...newTaskInstance(run, task), state, tryNumber: 1, endDate: state === 'running' ? null : clock.now() })),
  );
  return run;
}

const drainQueue = (): Promise<string[]> => h.drainQueue();

function worker() {
  return createWorkerHandler({
    apiBaseUrl: served.url,
    objectStore: storage.objectStore,
    workerId: 'worker-callbacks',
    logger: recordingLogger(),
    bundleLoader,
  });
}

describe('DAG-run callbacks', () => {
  it('sends one failure callback when concurrent passes end the run, and the worker runs it from the bundle', async () => {
    const run = await runWithTask('failed');
    const scheduler = new RunScheduler(deps);
    // Two passes that both hold the run as running (the tick and the fast path): one write ends it.
    const results = await Promise.all([scheduler.scheduleRunRecord(run), scheduler.scheduleRunRecord(run)]);
    expect(results.filter((r) => r.finished)).toHaveLength(1);
    expect((await storage.metastore.getDagRun(run))?.state).toBe('failed');
    // A later pass with the stale record sends nothing either.
    await scheduler.scheduleRunRecord(run);

    const bodies = await drainQueue();
    expect(bodies).toHaveLength(1);
    const workload = JSON.parse(bodies[0]!) as RunDagCallbackWorkload;
    expect(workload).toMatchObject({ kind: 'RunDagCallback', dagId: DAG_ID, runId: run.runId, event: 'failure', reason: 'task_failure' });
    expect(workload.run.state).toBe('failed');

    const answer = await worker()(sqsEvent(bodies));
    expect(answer.batchItemFailures).toEqual([]);
    // The throwing callback was logged; the next one still ran, reading a variable through the API.
    expect(seen).toEqual([`failure ${DAG_ID} ${run.runId} failed task_failure team=data-eng ds=${run.logicalDate.toISOString().slice(0, 10)} deadline=-`]);
    const log = (await storage.objectStore.getText(dagCallbackLogKey(workload))) ?? '';
    expect(log).toMatch(/ERROR The DAG on_failure_callback 1 \(function boom\d*\) failed; the run's state is unchanged: Error: the pager is down/);
    expect(log).toContain('INFO recorded failure');
    expect(logged.some((line) => line.level === 'error' && line.message.includes('the pager is down'))).toBe(true);
    expect((await storage.metastore.getDagRun(run))?.state).toBe('failed');
  });

  it('sends the success callback when the run succeeds', async () => {
    const run = await runWithTask('success');
    await new RunScheduler(deps).scheduleRunRecord(run);
    const bodies = await drainQueue();
    expect(bodies.map((body) => (JSON.parse(body) as RunDagCallbackWorkload).event)).toEqual(['success']);
    await worker()(sqsEvent(bodies));
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^success ${DAG_ID} \\S+ success success team=data-eng`))]);
  });

  it('logs a callback it could not send and still ends the run', async () => {
    const run = await runWithTask('failed');
    const broken = new SqsExecutor({ client: sqs, queueUrl: `${h.queueUrl}-missing`, name: 'lambda', clock });
    await new RunScheduler({ ...deps, executors: new ExecutorRegistry([broken]) }).scheduleRunRecord(run);
    expect((await storage.metastore.getDagRun(run))?.state).toBe('failed');
    expect(logged.some((line) => line.level === 'error' && line.message.includes("Could not send the DAG run's failure callback"))).toBe(true);
    expect(await drainQueue()).toEqual([]);
  });
});

describe('deadline alerts', () => {
  it('alerts a run past its deadline once, and never a run that ended before it', async () => {
    const late = await runWithTask('running');
    const onTime = await runWithTask('success');
    await new RunScheduler(deps).scheduleRunRecord(onTime); // Ends before its deadline.
    await drainQueue();
    const active = async () => (await storage.metastore.listActiveDagRuns()).filter((run) => run.dagId === DAG_ID);

    clock.set(new Date(T0.getTime() + 599_000));
    expect(await alertMissedDeadlines(deps, await active(), clock.now(), 4)).toEqual({ alerted: 0, errors: 0 });

    clock.set(new Date(T0.getTime() + 600_000));
    const stale = await active();
    expect(await alertMissedDeadlines(deps, [...stale, onTime], clock.now(), 4)).toEqual({ alerted: 1, errors: 0 });
    // A second tick (or one that still holds the unmarked records) does not alert again.
    expect(await alertMissedDeadlines(deps, stale, clock.now(), 4)).toEqual({ alerted: 0, errors: 0 });
    expect(await alertMissedDeadlines(deps, await active(), clock.now(), 4)).toEqual({ alerted: 0, errors: 0 });

    const bodies = await drainQueue();
    expect(bodies).toHaveLength(1);
    const workload = JSON.parse(bodies[0]!) as RunDagCallbackWorkload;
    expect(workload).toMatchObject({ event: 'deadline', runId: late.runId, reason: 'deadline_missed', deadlineAt: '2024-05-01T06:10:00.000Z' });
    expect((await storage.metastore.getDagRun(late))?.deadlineAlertedAt).toEqual(clock.now());
    expect((await storage.metastore.getDagRun(late))?.state).toBe('running');

    await worker()(sqsEvent(bodies));
    expect(seen).toEqual([`deadline ${DAG_ID} ${late.runId} running deadline_missed team=data-eng ds=${late.logicalDate.toISOString().slice(0, 10)} deadline=2024-05-01T06:10:00.000Z`]);
  });
});
