import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, seedRun, type TaskInstanceHarness } from './task-instances-harness.ts';

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();
const json = { ...headers, 'Content-Type': 'application/json' };

// extract → transform → load; extract → audit
const etl = serializedDag('etl', [
  serializedTask('extract'),
  serializedTask('transform', ['extract'], { retries: 2 }),
  serializedTask('audit', ['extract'], { poolSlots: 3 }),
  serializedTask('load', ['transform']),
]);
const t0 = new Date('2026-02-28T00:00:00Z');
const t1 = new Date('2026-02-28T00:05:00Z');
let failedRun: DagRunRecord;
let runningRun: DagRunRecord;

const base = (run: DagRunRecord) => `/api/v2/dags/${run.dagId}/dagRuns/${encodeURIComponent(run.runId)}/taskInstances`;

beforeAll(async () => {
  h = await createTaskInstanceHarness('ti-api');
  const versionId = await saveDag(h, etl);
  failedRun = { ...runningManualRun('etl', versionId, new Date('2026-02-27T00:00:00Z'), {}, t0), state: 'failed', endDate: t1 };
  await seedRun(h, failedRun, etl, {
    extract: { state: 'success', tryNumber: 1, startDate: t0, endDate: new Date(t0.getTime() + 10_000) },
    transform: { state: 'failed', tryNumber: 3, maxTries: 3, startDate: t0, endDate: t1, executor: 'lambda' },
    audit: { state: 'success', tryNumber: 1, startDate: t0, endDate: new Date(t0.getTime() + 30_000) },
    load: { state: 'upstream_failed', endDate: t1 },
  });
  runningRun = runningManualRun('etl', versionId, new Date('2026-02-28T00:00:00Z'), {}, t0);
  await seedRun(h, runningRun, etl, {
    extract: { state: 'success', tryNumber: 1, startDate: t0, endDate: t0 },
    transform: { state: 'running', tryNumber: 1, startDate: t0, workerId: 'worker-7', executor: 'lambda', externalExecutorId: 'msg-9' },
  });
});

afterAll(() => h.close());

describe('GET task instances', () => {
  it("lists a run's instances in Airflow's shape", async () => {
    const response = await h.app.request(base(failedRun), { headers });
    expect(response.status).toBe(200);
    const body = await response.json() as any;
    expect(body.total_entries).toBe(4);
    const transform = body.task_instances.find((ti: { task_id: string }) => ti.task_id === 'transform');
    expect(transform).toMatchObject({
      dag_id: 'etl',
      dag_run_id: failedRun.runId,
      map_index: -1,
      state: 'failed',
      try_number: 3,
      max_tries: 2,
      logical_date: failedRun.logicalDate.toISOString(),
      start_date: t0.toISOString(),
      end_date: t1.toISOString(),
      duration: 300,
      pool: 'default_pool',
      executor: 'lambda',
      note: null,
    });
    const load = body.task_instances.find((ti: { task_id: string }) => ti.task_id === 'load');
    expect(load.state).toBe('upstream_failed');
    expect(body.task_instances.find((ti: { task_id: string }) => ti.task_id === 'audit').pool_slots).toBe(3);
  });

  it('filters by state, across runs with ~, and orders and pages', async () => {
    const byState = await (await h.app.request(`${base(failedRun)}?state=success&state=upstream_failed`, { headers })).json() as any;
    expect(byState.task_instances.map((ti: { task_id: string }) => ti.task_id).sort()).toEqual(['audit', 'extract', 'load']);

    const across = await (await h.app.request('/api/v2/dags/etl/dagRuns/~/taskInstances?task_id=transform&order_by=-try_number', { headers })).json() as any;
    expect(across.task_instances.map((ti: { try_number: number }) => ti.try_number)).toEqual([3, 1]);

    const everywhere = await (await h.app.request('/api/v2/dags/~/dagRuns/~/taskInstances?state=no_status&limit=1', { headers })).json() as any;
    expect(everywhere.total_entries).toBe(2);
    expect(everywhere.task_instances).toHaveLength(1);

    const byDuration = await (await h.app.request(`${base(failedRun)}?duration_gte=20`, { headers })).json() as any;
    expect(byDuration.task_instances.map((ti: { task_id: string }) => ti.task_id).sort()).toEqual(['audit', 'transform']);
  });

  it('answers 400 for an unknown order_by, 422 for a bad state, 404 for a missing run', async () => {
    const badOrder = await h.app.request(`${base(failedRun)}?order_by=colour`, { headers });
    expect(badOrder.status).toBe(400);
    expect((await badOrder.json() as any).detail).toContain("Ordering with 'colour'");
    const badState = await h.app.request(`${base(failedRun)}?state=sleepy`, { headers });
    expect(badState.status).toBe(422);
    expect((await badState.json() as any).detail[0].loc).toEqual(['query', 'state']);
    expect((await h.app.request('/api/v2/dags/etl/dagRuns/nope/taskInstances', { headers })).status).toBe(404);
  });

  it('gets one instance, 404 when it does not exist', async () => {
    const response = await h.app.request(`${base(failedRun)}/extract`, { headers });
    expect(response.status).toBe(200);
    expect(await response.json() as any).toMatchObject({ task_id: 'extract', state: 'success' });
    const missing = await h.app.request(`${base(failedRun)}/nothing`, { headers });
    expect(missing.status).toBe(404);
    expect((await missing.json() as any).detail).toContain('task_id: `nothing`');
    expect((await h.app.request(`${base(failedRun)}/extract/0`, { headers })).status).toBe(404);
  });

  it('lists tries: earlier ones by number only, the latest in full; one try by number', async () => {
    const tries = await (await h.app.request(`${base(failedRun)}/transform/tries`, { headers })).json() as any;
    expect(tries.total_entries).toBe(3);
    expect(tries.task_instances.map((t: { try_number: number; state: string | null }) => [t.try_number, t.state])).toEqual([
      [1, null],
      [2, null],
      [3, 'failed'],
    ]);
    const latest = await h.app.request(`${base(failedRun)}/transform/tries/3`, { headers });
    expect(await latest.json() as any).toMatchObject({ try_number: 3, state: 'failed', end_date: t1.toISOString() });
    expect((await h.app.request(`${base(failedRun)}/transform/tries/4`, { headers })).status).toBe(404);
  });

  it('is guarded: 401 without a token, 403 when the DAG may not be read', async () => {
    expect((await h.app.request(base(failedRun))).status).toBe(401);
    expect((await h.app.request(`${base(failedRun)}/extract`)).status).toBe(401);
    const denying = await createTaskInstanceHarness('ti-api-deny', { auth: new TestAuthManager((kind) => kind === 'dag') });
    try {
      expect((await denying.app.request('/api/v2/dags/etl/dagRuns/r/taskInstances', { headers })).status).toBe(403);
      expect((await denying.app.request('/api/v2/dags/etl/dagRuns/r/taskInstances/t', { headers })).status).toBe(403);
      const clear = await denying.app.request('/api/v2/dags/etl/clearTaskInstances', { method: 'POST', headers: json, body: '{}' });
      expect(clear.status).toBe(403);
      expect(denying.authManager.checks.at(-1)!.request).toMatchObject({ method: 'PUT', accessEntity: 'TASK_INSTANCE', dagId: 'etl' });
      // Across DAGs, DAGs the caller may not read are left out rather than refused.
      const across = await denying.app.request('/api/v2/dags/~/dagRuns/~/taskInstances', { headers });
      expect(await across.json() as any).toEqual({ task_instances: [], total_entries: 0 });
    } finally {
      denying.close();
    }
  });
});

describe('POST clearTaskInstances', () => {
  const clear = (body: unknown) => h.app.request('/api/v2/dags/etl/clearTaskInstances', { method: 'POST', headers: json, body: JSON.stringify(body) });

  it('is a dry run by default: answers the failed instances, changes nothing', async () => {
    const response = await clear({ dag_run_id: failedRun.runId });
    expect(response.status).toBe(200);
    const body = await response.json() as any;
    expect(body.task_instances.map((ti: { task_id: string }) => ti.task_id)).toEqual(['transform', 'load']);
    expect((await h.metastore.getTaskInstance({ ...failedRun, taskId: 'transform', mapIndex: -1 }))!.state).toBe('failed');
  });

  it('rejects contradictory options (422) and unknown runs and DAGs (404)', async () => {
    const both = await clear({ only_failed: true, only_running: true });
    expect(both.status).toBe(422);
    expect((await both.json() as any).detail[0].msg).toContain('only_failed and only_running');
    expect((await clear({ dag_run_id: 'nope', dry_run: false })).status).toBe(404);
    const noDag = await h.app.request('/api/v2/dags/ghost/clearTaskInstances', { method: 'POST', headers: json, body: '{}' });
    expect(noDag.status).toBe(404);
  });

  it('clears for real: state none, try kept, retries extended, XComs gone, the run queued again', async () => {
    const transformKey = { ...failedRun, taskId: 'transform', mapIndex: -1 };
    await h.metastore.putXCom({ ...transformKey, key: 'return_value', value: 1, objectKey: null, timestamp: t1 });
    const response = await clear({ dag_run_id: failedRun.runId, task_ids: ['transform'], include_downstream: true, dry_run: false });
    expect(response.status).toBe(200);
    const body = await response.json() as any;
    expect(body.task_instances.map((ti: { task_id: string; state: string | null }) => [ti.task_id, ti.state])).toEqual([
      ['transform', null],
      ['load', null],
    ]);
    const transform = await h.metastore.getTaskInstance(transformKey);
    expect(transform).toMatchObject({ state: 'none', tryNumber: 3, maxTries: 6, endDate: null });
    expect(await h.metastore.listXComs(transformKey)).toEqual([]);
    expect(await h.metastore.getDagRun(failedRun)).toMatchObject({ state: 'queued', startDate: null, endDate: null });
    expect((await h.metastore.getTaskInstance({ ...failedRun, taskId: 'extract', mapIndex: -1 }))!.state).toBe('success');
  });

  it('stops a running attempt it clears through its executor', async () => {
    const response = await clear({ dag_run_id: runningRun.runId, only_failed: false, only_running: false, task_ids: ['transform'], dry_run: false });
    expect(response.status).toBe(200);
    expect(h.executor.stopped).toContainEqual(expect.objectContaining({ taskId: 'transform', tryNumber: 1 }));
    expect(await h.metastore.getTaskInstance({ ...runningRun, taskId: 'transform', mapIndex: -1 })).toMatchObject({ state: 'none', workerId: null });
    expect((await h.metastore.getDagRun(runningRun))!.state).toBe('running');
  });
});

describe('PATCH task instance', () => {
  let run: DagRunRecord;

  beforeAll(async () => {
    run = { ...runningManualRun('etl', 'v-etl', new Date('2026-02-26T00:00:00Z'), {}, t0), state: 'failed', endDate: t1 };
    await seedRun(h, run, etl, {
      extract: { state: 'success', tryNumber: 1 },
      transform: { state: 'failed', tryNumber: 1, endDate: t1 },
      audit: { state: 'running', tryNumber: 1, workerId: 'w', executor: 'lambda' },
      load: { state: 'upstream_failed' },
    });
  });

  const patch = (path: string, body: unknown) => h.app.request(`${base(run)}/${path}`, { method: 'PATCH', headers: json, body: JSON.stringify(body) });

  it('answers what would be marked on dry_run, changing nothing', async () => {
    const response = await patch('transform/dry_run', { new_state: 'success', include_downstream: true });
    expect(response.status).toBe(200);
    expect((await response.json() as any).task_instances.map((ti: { task_id: string }) => ti.task_id)).toEqual(['transform', 'load']);
    expect((await h.metastore.getTaskInstance({ ...run, taskId: 'transform', mapIndex: -1 }))!.state).toBe('failed');
  });

  it('marks success and clears the failed downstream so the run resumes', async () => {
    const response = await patch('transform', { new_state: 'SUCCESS' });
    expect(response.status).toBe(200);
    const body = await response.json() as any;
    expect(body.task_instances).toHaveLength(1);
    expect(body.task_instances[0]).toMatchObject({ task_id: 'transform', state: 'success', end_date: h.clock.now().toISOString() });
    expect((await h.metastore.getTaskInstance({ ...run, taskId: 'load', mapIndex: -1 }))!.state).toBe('none');
    expect((await h.metastore.getDagRun(run))!.state).toBe('queued');
  });

  it('marks a running attempt failed and stops it', async () => {
    const response = await patch('audit', { new_state: 'failed' });
    expect(response.status).toBe(200);
    expect((await h.metastore.getTaskInstance({ ...run, taskId: 'audit', mapIndex: -1 }))).toMatchObject({ state: 'failed', workerId: null });
    expect(h.executor.stopped).toContainEqual(expect.objectContaining({ taskId: 'audit', reason: 'its task instance was set to failed' }));
  });

  it('rejects a state that cannot be set (422), notes (400), unknown instances (404)', async () => {
    const bad = await patch('transform', { new_state: 'running' });
    expect(bad.status).toBe(422);
    expect((await bad.json() as any).detail[0].loc).toEqual(['body', 'new_state']);
    const note = await patch('transform', { note: 'looked at it' });
    expect(note.status).toBe(400);
    expect((await note.json() as any).detail).toContain('notes');
    expect((await patch('ghost', { new_state: 'success' })).status).toBe(404);
  });
});
