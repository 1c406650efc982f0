import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import { DynamoDbSlotLeaseStore } from '../../../../src/aws/dynamodb/slot-lease-store.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import type { Metastore } from '../../../../src/core/ports/metastore.ts';
import { delayedRequeueMarker } from '../../../../src/core/scheduling/delayed-requeue.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { AttemptConflictError, ForbiddenError } from '../../../../src/services/execution/errors.ts';
import { TaskExecutionService } from '../../../../src/services/execution/task-execution-service.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';

/**
 * A rescheduled sensor's delayed delivery starts its try straight from up_for_reschedule, past the
 * scheduler: it must take the pool slot the scheduler would have taken.
 */

let storage: EmulatorStorage;
let leases: DynamoDbSlotLeaseStore;
let versionId: string;
const clock = new ManualClock('2026-11-23T10:00:00Z');
const DAG = serializedDag('sensing', [serializedTask('wait', [], { pool: 'sensors' }), serializedTask('other', [], { pool: 'sensors' })]);
const POOL = { id: 'pool#sensors', kind: 'pool' as const, capacity: 1, slots: 1, heldWhileDeferred: false, description: 'pool "sensors"' };

beforeAll(async () => {
  storage = await createEmulatorStorage('delayed-slots');
  leases = new DynamoDbSlotLeaseStore(storage.dynamo, storage.tableName);
  await new DynamoDbPoolStore(storage.dynamo, storage.tableName).putPool({ name: 'sensors', slots: 1, description: null, includeDeferred: false });
  versionId = await saveSerializedDag(storage.metastore, DAG, clock.now());
});
afterAll(() => storage?.close());

function service(metastore: Metastore = storage.metastore): TaskExecutionService {
  return new TaskExecutionService({
    metastore,
    objectStore: storage.objectStore,
    clock,
    logger: silentLogger,
    dagVersions: new DagVersionCache(storage.metastore),
    onTaskFinished: async () => {},
    slotLeases: new DynamoDbSlotLeaseStore(storage.dynamo, storage.tableName),
    pools: new DynamoDbPoolStore(storage.dynamo, storage.tableName),
  });
}

let runs = 0;
/** A run whose `wait` try 1 was rescheduled and sent ahead with a queue delay; answers the date it was sent for. */
async function rescheduledRun(): Promise<{ run: DagRunRecord; wait: TaskAttemptKey; rescheduleDate: Date }> {
  runs += 1;
  const run = runningManualRun(DAG.dagId, versionId, new Date(Date.UTC(2026, 0, runs)), {}, clock.now());
  await storage.metastore.createDagRun(run);
  await storage.metastore.createTaskInstances(DAG.tasks.map((task) => newTaskInstance(run, task)));
  const wait: TaskAttemptKey = { dagId: run.dagId, runId: run.runId, taskId: 'wait', mapIndex: -1, tryNumber: 1 };
  const rescheduleDate = new Date(clock.now().getTime() + 30_000);
  await storage.metastore.updateTaskInstance(wait, {
    state: 'up_for_reschedule',
    tryNumber: 1,
    rescheduleDate,
    externalExecutorId: delayedRequeueMarker(rescheduleDate),
  });
  return { run, wait, rescheduleDate };
}

const startOf = (workerId: string, rescheduleDate: Date) => ({ workerId, pid: 1, startDate: clock.now(), rescheduleDate });

async function holders(): Promise<string[]> {
  const usage = (await leases.listUsage()).find((limit) => limit.limitId === POOL.id);
  return (usage?.leases ?? []).map((lease) => `${lease.holder.runId}/${lease.holder.taskId}:${lease.holder.tryNumber}`).sort();
}

describe('a delayed start of a rescheduled try', () => {
  it('is refused with pool_full while its pool is full, and starts holding the slot once one is free', async () => {
    const { run, wait, rescheduleDate } = await rescheduledRun();
    const other: TaskAttemptKey = { ...wait, taskId: 'other' };
    expect(await leases.acquire(other, [POOL], clock.now())).toEqual({ granted: true });

    const refused = service().start(wait, wait, startOf('worker-a', rescheduleDate));
    await expect(refused).rejects.toBeInstanceOf(AttemptConflictError);
    await expect(refused).rejects.toMatchObject({ reason: 'pool_full', currentState: 'up_for_reschedule', message: expect.stringContaining('pool "sensors"') });
    // Nothing changed: the tick queues the try once the delivery is overdue.
    expect(await storage.metastore.getTaskInstance(wait)).toMatchObject({ state: 'up_for_reschedule', rescheduleDate });
    expect(await holders()).toEqual([`${run.runId}/other:1`]);

    await leases.release(other, [POOL]);
    await service().start(wait, wait, startOf('worker-a', rescheduleDate));
    expect(await storage.metastore.getTaskInstance(wait)).toMatchObject({ state: 'running', workerId: 'worker-a' });
    expect(await holders()).toEqual([`${run.runId}/wait:1`]);

    // A duplicate delivery loses the start but must not give back the slot the running try holds.
    await expect(service().start(wait, wait, startOf('worker-b', rescheduleDate))).rejects.toMatchObject({ reason: 'running_elsewhere' });
    expect(await holders()).toEqual([`${run.runId}/wait:1`]);

    await service().finish(wait, wait, { state: 'success', workerId: 'worker-a', endDate: clock.now(), retryable: true });
    expect(await holders()).toEqual([]);
  });

  it('gives the slot back when its start write loses to a change made meanwhile', async () => {
    const { wait, rescheduleDate } = await rescheduledRun();
    // The task instance is cleared between the slot check and the start write (a new try is made).
    const racing: Metastore = new Proxy(storage.metastore, {
      get(target, property, receiver) {
        if (property !== 'updateTaskInstance') return Reflect.get(target, property, receiver);
        return async (...args: Parameters<Metastore['updateTaskInstance']>) => {
          if (args[2]?.state === 'up_for_reschedule') await target.updateTaskInstance(wait, { state: 'none', tryNumber: 2 });
          return target.updateTaskInstance(...args);
        };
      },
    });
    await expect(service(racing).start(wait, wait, startOf('worker-a', rescheduleDate))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await storage.metastore.getTaskInstance(wait)).toMatchObject({ state: 'none', tryNumber: 2 });
    expect(await holders()).toEqual([]);
  });
});
