import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import { DynamoDbSlotLeaseStore } from '../../../../src/aws/dynamodb/slot-lease-store.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskExecutionService } from '../../../../src/services/execution/task-execution-service.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler, SchedulerTick, type SchedulerDeps } from '../../../../src/services/scheduler/index.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';

/**
 * Pools, maxActiveTasks and maxActiveTisPerDag across processes: every "process" below (the tick, the
 * Execution API with its fast path) has its own lease store instance, executor and caches, and they
 * share only the metastore table, as Lambdas do.
 */

let storage: EmulatorStorage;
let pools: DynamoDbPoolStore;
const clock = new ManualClock('2026-11-23T10:00:00Z');
const tokens = new TaskTokens('a-test-signing-key-of-at-least-32-bytes', clock);

beforeAll(async () => {
  storage = await createEmulatorStorage('limits');
  pools = new DynamoDbPoolStore(storage.dynamo, storage.tableName);
});
afterAll(() => storage?.close());

function processDeps(name: string): SchedulerDeps & { executor: RecordingExecutor } {
  const executor = new RecordingExecutor();
  return {
    metastore: storage.metastore,
    executors: new ExecutorRegistry([executor]),
    executor,
    clock,
    tokens,
    logger: silentLogger,
    dagVersions: new DagVersionCache(storage.metastore),
    settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: name },
    slotLeases: new DynamoDbSlotLeaseStore(storage.dynamo, storage.tableName),
    pools,
  };
}

/** The Execution API of one process: finishes give back slots and run the fast path. */
function executionApi(name: string) {
  const deps = processDeps(name);
  const fastPath = new RunScheduler(deps);
  const service = new TaskExecutionService({
    ...deps,
    objectStore: storage.objectStore,
    onTaskFinished: (run, finished) => fastPath.afterTaskFinished(run, finished),
  });
  return { deps, fastPath, service };
}

async function runningRun(serialized: SerializedDag, runId = 'manual__2026-11-23T10:00:00+00:00'): Promise<DagRunRecord> {
  await saveSerializedDag(storage.metastore, serialized, clock.now());
  const now = clock.now();
  const run: DagRunRecord = {
    dagId: serialized.dagId,
    runId,
    state: 'running',
    runType: 'manual',
    logicalDate: now,
    dataInterval: { start: now, end: now },
    runAfter: now,
    versionId: `v-${serialized.dagId}`,
    conf: {},
    queuedAt: now,
    startDate: now,
    endDate: null,
    revision: 0,
  };
  await storage.metastore.createDagRun(run);
  return run;
}

async function states(run: DagRunRecord): Promise<Record<string, string>> {
  const tis = await storage.metastore.listTaskInstances(run);
  return Object.fromEntries(tis.map((ti) => [ti.taskId, ti.state] as const).sort(([a], [b]) => a.localeCompare(b)));
}

async function inState(run: DagRunRecord, state: string): Promise<string[]> {
  return Object.entries(await states(run))
    .filter(([, s]) => s === state)
    .map(([taskId]) => taskId);
}

async function attemptOf(run: DagRunRecord, taskId: string): Promise<TaskAttemptKey> {
  const ti = await storage.metastore.getTaskInstance({ ...run, taskId, mapIndex: -1 });
  if (!ti) throw new Error(`no task instance ${taskId}`);
  return { dagId: ti.dagId, runId: ti.runId, taskId, mapIndex: -1, tryNumber: ti.tryNumber };
}

/** A worker through the Execution API: start, then finish with success. */
async function runToSuccess(api: ReturnType<typeof executionApi>, run: DagRunRecord, taskId: string): Promise<void> {
  const attempt = await attemptOf(run, taskId);
  await api.service.start(attempt, attempt, { workerId: `w-${taskId}`, pid: 1, startDate: clock.now() });
  await api.service.finish(attempt, attempt, { state: 'success', workerId: `w-${taskId}`, endDate: clock.now(), retryable: true });
}

async function taken(limitId: string): Promise<number> {
  const usage = await new DynamoDbSlotLeaseStore(storage.dynamo, storage.tableName).listUsage();
  return usage.find((u) => u.limitId === limitId)?.taken ?? 0;
}

describe('pools across processes', () => {
  it('gives the last pool slot to exactly one of two schedulers queueing at once; the other task follows when it frees', async () => {
    await pools.putPool({ name: 'one_slot', slots: 1, description: null, includeDeferred: false });
    const left = await runningRun(serializedDag('race_left', [serializedTask('load', [], { pool: 'one_slot' })]));
    const right = await runningRun(serializedDag('race_right', [serializedTask('load', [], { pool: 'one_slot' })]));
    const tickProcess = processDeps('tick');
    const api = executionApi('api');

    await Promise.all([new RunScheduler(tickProcess).scheduleRun(left), api.fastPath.scheduleRun(right)]);
    const queued = [...(await inState(left, 'queued')), ...(await inState(right, 'queued'))];
    expect(queued).toEqual(['load']);
    expect(tickProcess.executor.workloads.length + api.deps.executor.workloads.length).toBe(1);
    expect(await taken('pool#one_slot')).toBe(1);

    const [winner, waiter] = (await inState(left, 'queued')).length ? [left, right] : [right, left];
    expect(await states(waiter)).toEqual({ load: 'none' });
    await runToSuccess(api, winner, 'load');
    expect(await taken('pool#one_slot')).toBe(0);

    const report = await new SchedulerTick(tickProcess).tick();
    expect(report.tasksQueued).toBe(1);
    expect(await states(waiter)).toEqual({ load: 'queued' });
    expect(await taken('pool#one_slot')).toBe(1);
    await runToSuccess(api, waiter, 'load');
    expect(await taken('pool#one_slot')).toBe(0);
  });

  it('keeps the lease when two schedulers queue the same task instance at once and one write wins', async () => {
    await pools.putPool({ name: 'same_ti', slots: 2, description: null, includeDeferred: false });
    const run = await runningRun(serializedDag('same_ti', [serializedTask('load', [], { pool: 'same_ti' })]));
    const [x, y] = [processDeps('x'), processDeps('y')];
    await Promise.all([new RunScheduler(x).scheduleRun(run), new RunScheduler(y).scheduleRun(run)]);
    expect(await states(run)).toEqual({ load: 'queued' });
    expect(x.executor.workloads.length + y.executor.workloads.length).toBe(1);
    expect(await taken('pool#same_ti')).toBe(1);
  });

  it('frees the slot of a worker that died (lost heartbeat) so the waiting task gets it', async () => {
    await pools.putPool({ name: 'dies', slots: 1, description: null, includeDeferred: false });
    const run = await runningRun(
      serializedDag('dying_worker', [
        serializedTask('first', [], { pool: 'dies', priorityWeight: 10 }),
        serializedTask('second', [], { pool: 'dies' }),
      ]),
    );
    const tickProcess = processDeps('tick-dies');
    const api = executionApi('api-dies');
    await new SchedulerTick(tickProcess).tick();
    expect(await states(run)).toEqual({ first: 'queued', second: 'none' });
    const attempt = await attemptOf(run, 'first');
    await api.service.start(attempt, attempt, { workerId: 'doomed', pid: 1, startDate: clock.now() });

    // The worker dies: no heartbeat, no finish. The next tick past the heartbeat timeout fails it.
    clock.advanceSeconds(DEFAULT_SCHEDULER_SETTINGS.taskHeartbeatTimeoutSeconds + 1);
    await new SchedulerTick(tickProcess).tick();
    expect(await states(run)).toEqual({ first: 'failed', second: 'queued' });
    expect(await taken('pool#dies')).toBe(1);
  });

  it('releases, after the grace, a lease a crashed process took but never used, and queues the waiting task', async () => {
    await pools.putPool({ name: 'leaked', slots: 1, description: null, includeDeferred: false });
    const run = await runningRun(serializedDag('leaky', [serializedTask('load', [], { pool: 'leaked' })]));
    const crashed = new DynamoDbSlotLeaseStore(storage.dynamo, storage.tableName);
    // A process took the slot for an attempt and died before writing the task instance.
    const ghost: TaskAttemptKey = { dagId: 'leaky', runId: run.runId, taskId: 'load', mapIndex: -1, tryNumber: 1 };
    const limit = { id: 'pool#leaked', kind: 'pool' as const, capacity: 1, slots: 1, heldWhileDeferred: false, description: 'leaked' };
    expect(await crashed.acquire({ ...ghost, runId: 'a_run_that_ended' }, [limit], clock.now())).toEqual({ granted: true });

    const tickProcess = processDeps('tick-leaked');
    await new SchedulerTick(tickProcess).tick();
    expect(await states(run)).toEqual({ load: 'none' });

    clock.advanceSeconds(61);
    await new SchedulerTick(tickProcess).tick(); // reconciles: the lease's run is not active
    await new SchedulerTick(tickProcess).tick();
    expect(await states(run)).toEqual({ load: 'queued' });
    expect(await taken('pool#leaked')).toBe(1);
  });

  it('leaves a task whose pool does not exist where it is, until the pool is created', async () => {
    const run = await runningRun(serializedDag('no_pool', [serializedTask('load', [], { pool: 'not_created_yet' })]));
    const tickProcess = processDeps('tick-no-pool');
    await new SchedulerTick(tickProcess).tick();
    expect(await states(run)).toEqual({ load: 'none' });
    await pools.putPool({ name: 'not_created_yet', slots: 2, description: null, includeDeferred: false });
    await new SchedulerTick(processDeps('tick-no-pool-2')).tick();
    expect(await states(run)).toEqual({ load: 'queued' });
  });
});

describe('maxActiveTasks and maxActiveTisPerDag', () => {
  it('keeps a fan-out within maxActiveTasks, the fast path filling each freed slot', async () => {
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((id) => serializedTask(id));
    const run = await runningRun(serializedDag('fan_out', tasks, { maxActiveTasks: 2 }));
    const api = executionApi('api-fan');
    await new SchedulerTick(processDeps('tick-fan')).tick();
    expect(await inState(run, 'queued')).toHaveLength(2);

    const done: string[] = [];
    for (let step = 0; step < 5; step += 1) {
      const [next] = await inState(run, 'queued');
      expect(['a', 'b', 'c', 'd', 'e'].filter((id) => !done.includes(id))).toContain(next);
      await runToSuccess(api, run, next!);
      done.push(next!);
      const active = [...(await inState(run, 'queued')), ...(await inState(run, 'running'))];
      expect(active.length).toBe(Math.min(2, 5 - done.length));
    }
    expect((await storage.metastore.getDagRun(run))?.state).toBe('success');
  });

  it('runs one instance of a maxActiveTisPerDag 1 task across the DAG’s runs at a time', async () => {
    const serialized = serializedDag('one_at_a_time', [serializedTask('sync', [], { maxActiveTisPerDag: 1 }), serializedTask('free')]);
    const first = await runningRun(serialized, 'manual__2026-11-23T10:00:00+00:00');
    const second = await runningRun(serialized, 'manual__2026-11-23T10:05:00+00:00');
    const api = executionApi('api-tis');
    await new SchedulerTick(processDeps('tick-tis')).tick();
    const syncQueued = [first, second].map(async (run) => (await states(run)).sync);
    expect((await Promise.all(syncQueued)).sort()).toEqual(['none', 'queued']);
    expect((await states(first)).free).toBe('queued');
    expect((await states(second)).free).toBe('queued');

    const [holder, waiter] = (await states(first)).sync === 'queued' ? [first, second] : [second, first];
    await runToSuccess(api, holder, 'sync');
    await new SchedulerTick(processDeps('tick-tis-2')).tick();
    expect((await states(waiter)).sync).toBe('queued');
  });
});
