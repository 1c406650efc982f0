import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTaskInstance, type DagRunRecord, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { taskLogKey } from '../../../../src/core/model/workload.ts';
import { TASK_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/tasks.ts';
import { TASK_INSTANCE_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/task-instances.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, type TaskInstanceHarness } from './task-instances-harness.ts';

/**
 * Mapped task instances as the scheduler leaves them: an expanded task keeps a map index -1 placeholder
 * in state removed beside its instances 0..n-1; one expanded over an empty list has only -1, skipped;
 * one not expanded yet has only -1, no state.
 */

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();
const json = { ...headers, 'Content-Type': 'application/json' };

const expandOver = (values: unknown[]): Partial<SerializedTask> => ({
  expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values } }],
});
const fanout = serializedDag('fanout', [
  serializedTask('extract'),
  serializedTask('process', ['extract'], { ...expandOver(['a', 'b', 'c']), retries: 2 }),
  serializedTask('summarize', ['process']),
  serializedTask('nothing', ['extract'], expandOver([])),
  serializedTask('pending', ['process'], { expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'xcom', taskId: 'process', key: 'return_value' } }] }),
]);
const t0 = new Date('2026-02-28T00:00:00Z');
const t1 = new Date('2026-02-28T00:01:00Z');
let run: DagRunRecord;
let markRun: DagRunRecord;

const base = (r: DagRunRecord) => `/api/v2/dags/fanout/dagRuns/${encodeURIComponent(r.runId)}/taskInstances`;
const get = async (path: string) => {
  const response = await h.app.request(path, { headers });
  return { status: response.status, body: (await response.json()) as any };
};
const send = async (method: string, path: string, body: unknown) => {
  const response = await h.app.request(path, { method, headers: json, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
};
const ids = (body: { task_instances: Array<{ task_id: string; map_index: number }> }) => body.task_instances.map((ti) => `${ti.task_id}[${ti.map_index}]`);

/** The run as the scheduler leaves it: process expanded to 3 (one failed twice, one running), nothing expanded to 0, pending not yet. */
async function seed(r: DagRunRecord): Promise<void> {
  await h.metastore.createDagRun(r);
  const task = (id: string) => fanout.tasks.find((t) => t.taskId === id)!;
  const ti = (id: string, changes: Partial<TaskInstanceRecord>): TaskInstanceRecord => ({ ...newTaskInstance(r, task(id)), ...changes });
  await h.metastore.createTaskInstances([
    ti('extract', { state: 'success', tryNumber: 1, startDate: t0, endDate: t1 }),
    ti('process', { state: 'removed' }),
    ti('process', { mapIndex: 0, state: 'success', tryNumber: 1, startDate: t0, endDate: t1 }),
    ti('process', { mapIndex: 1, state: 'failed', tryNumber: 2, startDate: t0, endDate: new Date(t1.getTime() + 60_000) }),
    ti('process', { mapIndex: 2, state: 'running', tryNumber: 1, startDate: t1, executor: 'lambda', workerId: 'w-2' }),
    ti('summarize', {}),
    ti('nothing', { state: 'skipped', startDate: t1, endDate: t1 }),
    ti('pending', {}),
  ]);
}

beforeAll(async () => {
  h = await createTaskInstanceHarness('ti-mapped', { endpoints: [...TASK_INSTANCE_ENDPOINTS, ...TASK_ENDPOINTS] });
  const versionId = await saveDag(h, fanout);
  run = runningManualRun('fanout', versionId, new Date('2026-02-27T00:00:00Z'), {}, t0);
  markRun = runningManualRun('fanout', versionId, new Date('2026-02-26T00:00:00Z'), {}, t0);
  await seed(run);
  await seed(markRun);
});

afterAll(() => h.close());

describe('lists of task instances', () => {
  it("leave out an expanded task's -1 placeholder and show each mapped instance with its rendered map index", async () => {
    const { status, body } = await get(base(run));
    expect(status).toBe(200);
    expect(body.total_entries).toBe(7);
    expect(ids(body).sort()).toEqual(['extract[-1]', 'nothing[-1]', 'pending[-1]', 'process[0]', 'process[1]', 'process[2]', 'summarize[-1]']);
    const byId = new Map(body.task_instances.map((ti: any) => [`${ti.task_id}[${ti.map_index}]`, ti]));
    expect(byId.get('process[1]')).toMatchObject({ state: 'failed', try_number: 2, max_tries: 2, rendered_map_index: '1' });
    expect(byId.get('nothing[-1]')).toMatchObject({ state: 'skipped', rendered_map_index: null });
    expect(byId.get('pending[-1]')).toMatchObject({ state: null, rendered_map_index: null });
  });

  it('filter by map_index and across runs with ~', async () => {
    const { body } = await get(`${base(run)}?map_index=1&map_index=2`);
    expect(ids(body)).toEqual(['process[1]', 'process[2]']);
    const across = await get('/api/v2/dags/fanout/dagRuns/~/taskInstances?task_id=process&order_by=-map_index');
    expect(across.body.total_entries).toBe(6);
    expect(across.body.task_instances.map((ti: any) => ti.map_index)).toEqual([2, 2, 1, 1, 0, 0]);
  });

  it('the batch list (POST ~/~/list) hides placeholders and filters by its body', async () => {
    const listPath = '/api/v2/dags/~/dagRuns/~/taskInstances/list';
    const mapped = await send('POST', listPath, { dag_ids: ['fanout'], dag_run_ids: [run.runId], task_ids: ['process'] });
    expect(mapped.status).toBe(200);
    expect(ids(mapped.body)).toEqual(['process[0]', 'process[1]', 'process[2]']);

    const noState = await send('POST', listPath, { dag_run_ids: [run.runId], state: [null], order_by: '-map_index' });
    expect(ids(noState.body).sort()).toEqual(['pending[-1]', 'summarize[-1]']);

    const page = await send('POST', listPath, { dag_run_ids: [run.runId], start_date_gt: t0.toISOString(), page_limit: 1, order_by: 'map_index' });
    expect(page.body.total_entries).toBe(2);
    expect(ids(page.body)).toEqual(['nothing[-1]']);

    expect((await send('POST', '/api/v2/dags/fanout/dagRuns/~/taskInstances/list', {})).status).toBe(422);
    expect((await send('POST', listPath, { order_by: 'operator' })).status).toBe(400);
  });
});

describe('GET listMapped', () => {
  it("answers a task's mapped instances ordered by map index, with Airflow's filters and paging", async () => {
    const all = await get(`${base(run)}/process/listMapped`);
    expect(all.status).toBe(200);
    expect(all.body.total_entries).toBe(3);
    expect(all.body.task_instances.map((ti: any) => [ti.map_index, ti.state, ti.rendered_map_index])).toEqual([
      [0, 'success', '0'],
      [1, 'failed', '1'],
      [2, 'running', '2'],
    ]);

    const failed = await get(`${base(run)}/process/listMapped?state=failed`);
    expect(failed.body.task_instances.map((ti: any) => ti.map_index)).toEqual([1]);

    const paged = await get(`${base(run)}/process/listMapped?order_by=-map_index&limit=2&offset=1`);
    expect(paged.body).toMatchObject({ total_entries: 3 });
    expect(paged.body.task_instances.map((ti: any) => ti.map_index)).toEqual([1, 0]);

    const longest = await get(`${base(run)}/process/listMapped?duration_gte=100`);
    expect(longest.body.task_instances.map((ti: any) => ti.map_index)).toEqual([1]);
  });

  it('answers an empty list for a mapped task not expanded yet or expanded over nothing', async () => {
    expect((await get(`${base(run)}/pending/listMapped`)).body).toEqual({ task_instances: [], total_entries: 0 });
    expect((await get(`${base(run)}/nothing/listMapped`)).body).toEqual({ task_instances: [], total_entries: 0 });
  });

  it('answers 404 for a task the DAG does not have, a task that is not mapped, or an unknown run', async () => {
    const unknown = await get(`${base(run)}/nope/listMapped`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('Task id nope not found');
    const unmapped = await get(`${base(run)}/extract/listMapped`);
    expect(unmapped.status).toBe(404);
    expect(unmapped.body.detail).toContain('Task id extract is not mapped');
    expect((await get('/api/v2/dags/fanout/dagRuns/nope/taskInstances/process/listMapped')).status).toBe(404);
  });
});

describe('one task instance of a mapped task', () => {
  it('without a map index answers 404 telling to add it, once the task is expanded', async () => {
    const { status, body } = await get(`${base(run)}/process`);
    expect(status).toBe(404);
    expect(body.detail).toContain('Task instance is mapped, add the map_index value to the URL');
    // Not expanded yet, or expanded over nothing: the -1 instance is the task's instance.
    expect((await get(`${base(run)}/pending`)).body).toMatchObject({ map_index: -1, state: null });
    expect((await get(`${base(run)}/nothing`)).body).toMatchObject({ map_index: -1, state: 'skipped' });
  });

  it('with a map index answers that instance, or 404 naming it', async () => {
    expect((await get(`${base(run)}/process/1`)).body).toMatchObject({ task_id: 'process', map_index: 1, state: 'failed', rendered_map_index: '1' });
    const missing = await get(`${base(run)}/process/7`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('The Mapped Task Instance');
    expect(missing.body.detail).toContain('map_index: `7`');
  });

  it("answers a mapped instance's tries by map index; without one, 404", async () => {
    const tries = await get(`${base(run)}/process/1/tries`);
    expect(tries.body.task_instances.map((t: any) => [t.map_index, t.try_number])).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect((await get(`${base(run)}/process/1/tries/2`)).body).toMatchObject({ map_index: 1, try_number: 2, state: 'failed' });
    expect((await get(`${base(run)}/process/tries`)).status).toBe(404);
  });

  it("reads a mapped instance's log with the map_index query, and refuses map index -1 of an expanded task", async () => {
    const attempt = { dagId: 'fanout', runId: run.runId, taskId: 'process', mapIndex: 1, tryNumber: 2 };
    await h.objectStore.put(taskLogKey(attempt), '[2026-02-28T00:01:30.000Z] ERROR element b failed\n');
    const log = await get(`${base(run)}/process/logs/2?map_index=1`);
    expect(log.status).toBe(200);
    expect(log.body.content[0]).toEqual({ timestamp: '2026-02-28T00:01:30.000Z', level: 'error', event: 'element b failed' });
    const unmapped = await get(`${base(run)}/process/logs/1`);
    expect(unmapped.status).toBe(404);
    expect(unmapped.body.detail).toContain('add the map_index query parameter');
  });

  it('keeps XComs per map index: create, list and read them by map_index', async () => {
    const xcoms = `${base(run)}/process/xcomEntries`;
    expect((await send('POST', xcoms, { key: 'return_value', value: 'A', map_index: 0 })).status).toBe(201);
    expect((await send('POST', xcoms, { key: 'return_value', value: 'B', map_index: 1 })).status).toBe(201);
    const all = await get(xcoms);
    expect(all.body.xcom_entries.map((x: any) => [x.key, x.map_index])).toEqual([
      ['return_value', 0],
      ['return_value', 1],
    ]);
    expect((await get(`${xcoms}?map_index=1`)).body.xcom_entries.map((x: any) => x.map_index)).toEqual([1]);
    expect((await get(`${xcoms}/return_value?map_index=1`)).body).toMatchObject({ map_index: 1, value: 'B' });
    expect((await get(`${xcoms}/return_value`)).status).toBe(404);
    expect((await send('PATCH', `${xcoms}/return_value`, { value: 'B2', map_index: 1 })).body).toMatchObject({ map_index: 1, value: 'B2' });
    expect((await get(`${xcoms}/return_value?map_index=0`)).body.value).toBe('A');
  });
});

describe('marking and clearing mapped instances', () => {
  it('a dry run by map index answers that instance only; without a map index, every mapped instance to change', async () => {
    const one = await send('PATCH', `${base(markRun)}/process/1/dry_run`, { new_state: 'success' });
    expect(one.status).toBe(200);
    expect(ids(one.body)).toEqual(['process[1]']);
    const every = await send('PATCH', `${base(markRun)}/process/dry_run`, { new_state: 'success' });
    expect(ids(every.body)).toEqual(['process[1]', 'process[2]']);
    // Without new_state, the dry run answers the instances the path names.
    expect(ids((await send('PATCH', `${base(markRun)}/process/dry_run`, {})).body)).toEqual(['process[0]', 'process[1]', 'process[2]']);
  });

  it('marks one map index and leaves its siblings alone', async () => {
    const marked = await send('PATCH', `${base(markRun)}/process/2`, { new_state: 'failed' });
    expect(marked.status).toBe(200);
    expect(marked.body.task_instances.find((ti: any) => ti.task_id === 'process')).toMatchObject({ map_index: 2, state: 'failed' });
    expect(h.executor.stopped).toContainEqual(expect.objectContaining({ taskId: 'process', tryNumber: 1 }));
    const states = (await get(`${base(markRun)}/process/listMapped`)).body.task_instances.map((ti: any) => ti.state);
    expect(states).toEqual(['success', 'failed', 'failed']);
  });

  it('a clear dry run answers mapped instances, not the placeholder', async () => {
    const cleared = await send('POST', '/api/v2/dags/fanout/clearTaskInstances', {
      dag_run_id: run.runId,
      task_ids: ['process'],
      only_failed: false,
    });
    expect(cleared.status).toBe(200);
    expect(ids(cleared.body)).toEqual(['process[0]', 'process[1]', 'process[2]']);
  });

  it('a clear of [task_id, map_index] entries answers only those instances', async () => {
    const cleared = await send('POST', '/api/v2/dags/fanout/clearTaskInstances', {
      dag_run_id: run.runId,
      task_ids: [['process', 2], ['process', 0]],
      only_failed: false,
      dry_run: true,
    });
    expect(cleared.status).toBe(200);
    expect(ids(cleared.body)).toEqual(['process[0]', 'process[2]']);
  });
});

describe('GET tasks', () => {
  it('says which tasks are mapped', async () => {
    const { body } = await get('/api/v2/dags/fanout/tasks');
    const mapped = Object.fromEntries(body.tasks.map((task: any) => [task.task_id, task.is_mapped]));
    expect(mapped).toEqual({ extract: false, process: true, summarize: false, nothing: true, pending: true });
  });
});
