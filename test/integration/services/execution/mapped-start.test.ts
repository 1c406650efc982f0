import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId, type TaskAttemptKey, type TaskInstanceKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { createExecutionApiApp, HEAD_API_VERSION } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import type { StartedAttempt } from '../../../../src/services/execution/attempt-messages.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { XComValues } from '../../../../src/services/execution/xcom-values.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';

/**
 * The start answer of mapped task instances (dynamic task mapping) through the real Execution API on
 * the emulators: each instance's elements in `mappedInputs`, and Airflow's XCom semantics for mapped
 * upstreams in `upstreamXComs`. The runs are seeded as the scheduler leaves them after expanding.
 */

const SECRET = 'mapped-start-test-secret-0123456789abcdef';
const FILES = ['a.csv', 'b.csv', 'c.csv'];

const taskflow = (taskId: string, overrides: Partial<SerializedTask> = {}) =>
  serializedTask(taskId, overrides.upstreamTaskIds ?? [], { operator: 'taskflow', ...overrides });
const returnOf = (taskId: string) => ({ kind: 'xcom' as const, taskId, key: 'return_value' });

const DAG: SerializedDag = serializedDag(
  'mapping',
  [
    taskflow('list_files'),
    taskflow('scalar'),
    // A literal map with a fixed first argument (partial).
    taskflow('fixed', {
      args: [{ kind: 'literal', value: 'warehouse' }, { kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 1 }, source: { kind: 'literal', values: ['orders', 'customers'] } }],
    }),
    // Over an upstream's list.
    taskflow('per_file', {
      upstreamTaskIds: ['list_files'],
      args: [{ kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 0 }, source: returnOf('list_files') }],
    }),
    // A cross product: 2 × 3 instances, the last input varying fastest.
    taskflow('cross', {
      upstreamTaskIds: ['list_files'],
      args: [{ kind: 'mapped' }, { kind: 'mapped' }],
      expandInputs: [
        { target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: ['x', 'y'] } },
        { target: { kind: 'arg', index: 1 }, source: returnOf('list_files') },
      ],
    }),
    // Over a mapped task's output: one instance per upstream instance.
    taskflow('again', {
      upstreamTaskIds: ['per_file'],
      args: [{ kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 0 }, source: returnOf('per_file') }],
    }),
    // A cross product whose second input is a mapped task's output: its instance count is needed.
    taskflow('cross_mapped', {
      upstreamTaskIds: ['per_file'],
      args: [{ kind: 'mapped' }, { kind: 'mapped' }],
      expandInputs: [
        { target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: ['p', 'q'] } },
        { target: { kind: 'arg', index: 1 }, source: returnOf('per_file') },
      ],
    }),
    // Mapped template fields of a bash task.
    serializedTask('echo', ['list_files'], {
      templateFields: { bashCommand: 'echo "$FILE"' },
      expandInputs: [{ target: { kind: 'field', name: 'env' }, source: returnOf('list_files') }],
    }),
    // A mapped task group over list_files.
    taskflow('group.read', {
      upstreamTaskIds: ['list_files'],
      taskGroupId: 'group',
      mappedGroupId: 'group',
      args: [{ kind: 'literal', value: 'read' }, { kind: 'map_item', groupId: 'group' }],
    }),
    taskflow('group.count', { upstreamTaskIds: ['group.read'], taskGroupId: 'group', mappedGroupId: 'group' }),
    // A reduce over the mapped per_file.
    taskflow('total', { upstreamTaskIds: ['per_file'], args: [returnOf('per_file')] }),
    // Over a value that is no longer a list.
    taskflow('broken', {
      upstreamTaskIds: ['scalar'],
      retries: 1,
      args: [{ kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 0 }, source: returnOf('scalar') }],
    }),
  ],
  { taskGroups: { group: { expand: returnOf('list_files') } } },
);

/** Instances as the scheduler leaves them after expanding: the placeholder removed, 0..n-1 created. */
const INSTANCE_COUNTS: Record<string, number> = {
  fixed: 2,
  per_file: 3,
  cross: 6,
  again: 3,
  cross_mapped: 6,
  echo: 3,
  'group.read': 3,
  'group.count': 3,
  broken: 1,
};

let storage: EmulatorStorage;
let clock: ManualClock;
let tokens: TaskTokens;
let app: ReturnType<typeof createExecutionApiApp>;
let xcoms: XComValues;
let run: DagRunRecord;

beforeAll(async () => {
  storage = await createEmulatorStorage('mapped-start');
  clock = new ManualClock('2026-11-23T10:00:00Z');
  tokens = new TaskTokens(SECRET, clock);
  const deps = { metastore: storage.metastore, objectStore: storage.objectStore, clock, logger: silentLogger };
  app = createExecutionApiApp({ ...deps, tokens, dagVersions: new DagVersionCache(storage.metastore), onTaskFinished: async () => {} });
  xcoms = new XComValues(deps);
  await saveSerializedDag(storage.metastore, DAG, clock.now(), { versionId: 'v1' });
  run = runningManualRun('mapping', 'v1', new Date('2026-11-22T00:00:00Z'), {}, clock.now());
  await storage.metastore.createDagRun(run);
  await storage.metastore.createTaskInstances(
    DAG.tasks.flatMap((task) => {
      const placeholder = newTaskInstance(run, task);
      const count = INSTANCE_COUNTS[task.taskId];
      if (count === undefined) return [placeholder];
      const mapped = Array.from({ length: count }, (_, mapIndex) => ({ ...newTaskInstance(run, task), mapIndex }));
      return [{ ...placeholder, state: 'removed' as const }, ...mapped];
    }),
  );
  await xcoms.put(key('list_files'), 'return_value', FILES);
  await xcoms.put(key('scalar'), 'return_value', 'not a list');
  // per_file 1 pushed nothing; per_file 2's value is large enough to live in the object store.
  await xcoms.put(key('per_file', 0), 'return_value', 'rows of a.csv');
  await xcoms.put(key('per_file', 2), 'return_value', 'c'.repeat(70 * 1024));
  await xcoms.put(key('group.read', 1), 'return_value', 'read b.csv');
});

afterAll(() => storage?.close());

function key(taskId: string, mapIndex = -1): TaskInstanceKey {
  return { dagId: run.dagId, runId: run.runId, taskId, mapIndex };
}

/** Queues the instance's first try, as the scheduler would, and starts it through the API. */
async function start(taskId: string, mapIndex: number, apiVersion = HEAD_API_VERSION): Promise<Response> {
  const attempt: TaskAttemptKey = { ...key(taskId, mapIndex), tryNumber: 1 };
  await storage.metastore.updateTaskInstance(attempt, { state: 'queued', tryNumber: 1, queuedAt: clock.now() });
  return app.request(`/execution/task-instances/${encodeTaskInstanceId(attempt)}/run`, {
    method: 'PATCH',
    headers: { 'Updraft-Api-Version': apiVersion, Authorization: `Bearer ${tokens.issue(attempt, 600)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ workerId: 'w1', pid: 1, startDate: clock.now().toISOString() }),
  });
}

async function started(taskId: string, mapIndex: number): Promise<StartedAttempt> {
  const response = await start(taskId, mapIndex);
  expect(response.status).toBe(200);
  return (await response.json()) as StartedAttempt;
}

describe('the start answer of a mapped task instance', () => {
  it('carries the element of a literal list, by argument position', async () => {
    expect((await started('fixed', 1)).mappedInputs).toEqual({ args: { '1': 'customers' }, fields: {} });
  });

  it("carries the element of an upstream's list, without sending the whole list to every instance", async () => {
    const answer = await started('per_file', 2);
    expect(answer.taskInstance.mapIndex).toBe(2);
    expect(answer.mappedInputs).toEqual({ args: { '0': 'c.csv' }, fields: {} });
    expect(answer.upstreamXComs).toEqual({});
  });

  it('finds the elements of a cross product, the last input varying fastest', async () => {
    const answers = await Promise.all([0, 2, 4, 5].map((mapIndex) => started('cross', mapIndex)));
    expect(answers.map((answer) => answer.mappedInputs?.args)).toEqual([
      { '0': 'x', '1': 'a.csv' },
      { '0': 'x', '1': 'c.csv' },
      { '0': 'y', '1': 'b.csv' },
      { '0': 'y', '1': 'c.csv' },
    ]);
  });

  it("maps over a mapped task's output one instance per upstream instance, null where it pushed nothing", async () => {
    expect((await started('again', 0)).mappedInputs?.args).toEqual({ '0': 'rows of a.csv' });
    expect((await started('again', 1)).mappedInputs?.args).toEqual({ '0': null });
    expect((await started('again', 2)).mappedInputs?.args).toEqual({ '0': 'c'.repeat(70 * 1024) });
  });

  it("counts a mapped upstream's instances for a cross product over its output", async () => {
    // Instance 4 of 2 × 3: element 1 of ['p', 'q'] and per_file's instance 1 (which pushed nothing).
    expect((await started('cross_mapped', 4)).mappedInputs?.args).toEqual({ '0': 'q', '1': null });
  });

  it('carries mapped template fields by name', async () => {
    expect((await started('echo', 1)).mappedInputs).toEqual({ args: {}, fields: { env: 'b.csv' } });
  });

  it("gives a mapped task group's tasks the group's item, and a group sibling's value at the same map index", async () => {
    const read = await started('group.read', 2);
    expect(read.mappedInputs).toEqual({ args: { '1': 'c.csv' }, fields: {} });
    const count = await started('group.count', 1);
    expect(count.mappedInputs).toEqual({ args: {}, fields: {} });
    expect(count.upstreamXComs).toEqual({ 'group.read': 'read b.csv' });
  });

  it("gives a reduce the list of the mapped upstream's values by map index", async () => {
    const answer = await started('total', -1);
    expect(answer.mappedInputs).toBeUndefined();
    expect(answer.upstreamXComs).toEqual({ per_file: ['rows of a.csv', 'c'.repeat(70 * 1024)] });
  });

  it('leaves mappedInputs out for a client of 2026-11-22', async () => {
    const response = await start('fixed', 0, '2026-11-22');
    expect(response.status).toBe(200);
    expect(await response.json()).not.toHaveProperty('mappedInputs');
  });

  it('refuses the start with 422 and fails the attempt when the list mapped over is no longer a list', async () => {
    const response = await start('broken', 0);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { reason: string; message: string } };
    expect(body.detail.reason).toBe('mapped_input');
    expect(body.detail.message).toContain('maps over the XCom "return_value" of task "scalar", which is a string, not a list');
    // The attempt ended with that error; its retry is due as for any failure.
    expect(await storage.metastore.getTaskInstance(key('broken', 0))).toMatchObject({ state: 'up_for_retry', endDate: clock.now() });
  });
});

describe("reading a mapped task's XCom without a map index", () => {
  it('answers the list of its instances\' values', async () => {
    const reader: TaskAttemptKey = { ...key('total'), tryNumber: 1 };
    const response = await app.request(`/execution/xcoms/${encodeTaskInstanceId(key('per_file'))}/return_value`, {
      headers: { 'Updraft-Api-Version': HEAD_API_VERSION, Authorization: `Bearer ${tokens.issue(reader, 600)}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ key: 'return_value', value: ['rows of a.csv', 'c'.repeat(70 * 1024)] });
  });
});
