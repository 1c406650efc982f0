import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { createS3Client } from '../../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { XComValues } from '../../../../src/services/execution/xcom-values.ts';
import { RunScheduler } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, finishAttempt, RecordingExecutor, saveRunningRun, startAttempt, type Harness } from './harness.ts';

let h: Harness;
let scheduler: RunScheduler;
let xcoms: XComValues;
let objectStore: S3ObjectStore;
let executor: RecordingExecutor;

beforeAll(async () => {
  h = await createHarness('sched-map');
  const s3 = createS3Client(emulatorClientOptions(), {});
  const bucket = uniqueName('sched-map');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  objectStore = new S3ObjectStore({ client: s3, bucket });
  xcoms = new XComValues({ metastore: h.metastore, objectStore, clock: h.clock, logger: silentLogger });
});

// Each test its own executor: the instances the tests queue never finish, and would fill shared slots.
beforeEach(() => {
  executor = new RecordingExecutor();
  scheduler = new RunScheduler(h.deps({ objectStore, executors: new ExecutorRegistry([executor]) }));
});

const overList = (from: string): Partial<SerializedTask> => ({
  expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'xcom', taskId: from, key: 'return_value' } }],
});
const key = (run: DagRunRecord, taskId: string, mapIndex = -1) => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex });

async function states(run: DagRunRecord): Promise<string[]> {
  const tis = await h.metastore.listTaskInstances(run);
  return tis
    .sort((a, b) => a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex)
    .map((ti) => `${ti.taskId}${ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : ''}:${ti.state}`);
}

/** Runs the queued `list` task, which returns `value`, then schedules the run. */
async function listReturns(run: DagRunRecord, value: unknown): Promise<void> {
  await scheduler.scheduleRun(run);
  await startAttempt(h, key(run, 'list'));
  if (value !== undefined) await xcoms.put(key(run, 'list'), 'return_value', value);
  await finishAttempt(h, key(run, 'list'), 'success');
  await scheduler.scheduleRun(run);
}

const mappedDag = (dagId: string, extra: Partial<SerializedDag> = {}): SerializedDag => ({
  ...dag(dagId, [task('list'), task('each', ['list'], overList('list')), task('total', ['each'])]),
  ...extra,
});

describe('RunScheduler with mapped tasks', () => {
  it('expands over an upstream list, runs every instance and then the downstream that reduces them', async () => {
    const run = await saveRunningRun(h, mappedDag('map_list'));
    await listReturns(run, ['a', 'b', 'c']);
    expect(await states(run)).toEqual(['each:removed', 'each[0]:queued', 'each[1]:queued', 'each[2]:queued', 'list:success', 'total:none']);
    for (const mapIndex of [0, 1, 2]) {
      await startAttempt(h, key(run, 'each', mapIndex));
      await finishAttempt(h, key(run, 'each', mapIndex), 'success');
      await scheduler.scheduleRun(run);
    }
    expect((await states(run)).at(-1)).toBe('total:queued');
    const workloads = executor.workloads.map((w) => `${w.ti.taskId}[${w.ti.mapIndex}]`);
    expect(workloads.sort()).toEqual(['each[0]', 'each[1]', 'each[2]', 'list[-1]', 'total[-1]']);
    expect(executor.workloads.find((w) => w.ti.taskId === 'each' && w.ti.mapIndex === 1)?.logKey).toBe(
      `logs/dag_id=map_list/run_id=${run.runId}/task_id=each/map_index=1/attempt=1.log`,
    );
  });

  it('skips the mapped task and its downstream when the list is empty, and the run succeeds', async () => {
    const run = await saveRunningRun(h, mappedDag('map_empty'));
    await listReturns(run, []);
    expect(await states(run)).toEqual(['each:skipped', 'list:success', 'total:skipped']);
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'success' });
  });

  it('fails the mapped task when the upstream returned something that is not a list, and the run fails', async () => {
    const run = await saveRunningRun(h, mappedDag('map_not_list'));
    await listReturns(run, { a: 1 });
    expect(await states(run)).toEqual(['each:failed', 'list:success', 'total:upstream_failed']);
    expect(await h.metastore.getDagRun(run)).toMatchObject({ state: 'failed' });
  });

  it('expands over a large list kept in the object store, and queues no more than maxActiveTasks at once', async () => {
    const run = await saveRunningRun(h, mappedDag('map_large', { maxActiveTasks: 16 }));
    const files = Array.from({ length: 2500 }, (_, i) => `s3://landing/2024/01/10/part-${String(i).padStart(5, '0')}.parquet`);
    await listReturns(run, files);
    const tis = await h.metastore.listTaskInstances(run);
    const each = tis.filter((ti) => ti.taskId === 'each' && ti.mapIndex >= 0);
    expect(each).toHaveLength(2500);
    expect(each.filter((ti) => ti.state === 'queued')).toHaveLength(16);
    expect(tis.find((ti) => ti.taskId === 'each' && ti.mapIndex === -1)?.state).toBe('removed');
  });

  it('creates a wide map over several passes when a pass may create only some, and queues nothing before all exist', async () => {
    const bounded = new RunScheduler({
      ...h.deps({ objectStore, executors: new ExecutorRegistry([executor]) }),
      settings: { ...h.deps().settings, maxMappedInstancesPerPass: 400 },
    });
    const run = await saveRunningRun(h, mappedDag('map_bounded'));
    await bounded.scheduleRun(run);
    await startAttempt(h, key(run, 'list'));
    await xcoms.put(key(run, 'list'), 'return_value', Array.from({ length: 1000 }, (_, i) => i));
    await finishAttempt(h, key(run, 'list'), 'success');
    const created = async () => (await h.metastore.listTaskInstances(run)).filter((ti) => ti.taskId === 'each' && ti.mapIndex >= 0);
    await bounded.scheduleRun(run);
    expect(await created()).toHaveLength(400);
    expect((await created()).every((ti) => ti.state === 'none')).toBe(true);
    expect((await h.metastore.getTaskInstance(key(run, 'each')))?.state).toBe('none');
    await bounded.scheduleRun(run);
    await bounded.scheduleRun(run);
    expect(await created()).toHaveLength(1000);
    expect((await h.metastore.getTaskInstance(key(run, 'each')))?.state).toBe('removed');
    expect((await created()).filter((ti) => ti.state === 'queued')).toHaveLength(16);
  });

  it('expands a literal list on the first pass, and a repeated pass creates nothing twice', async () => {
    const run = await saveRunningRun(h, dag('map_literal', [task('each', [], { expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [1, 2] } }] })]));
    await scheduler.scheduleRun(run);
    await scheduler.scheduleRun(run);
    expect(await states(run)).toEqual(['each:removed', 'each[0]:queued', 'each[1]:queued']);
    expect(executor.workloads).toHaveLength(2);
  });
});
