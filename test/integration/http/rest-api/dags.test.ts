import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAG_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/dags.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, seedRun, type TaskInstanceHarness } from './task-instances-harness.ts';

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();
const json = { ...headers, 'Content-Type': 'application/json' };

const sales = serializedDag('sales_daily', [serializedTask('load')], {
  tags: ['finance', 'daily'],
  timetable: { type: 'cron_data_interval', cron: '0 6 * * *', timezone: 'UTC' },
  scheduleDescription: '0 6 * * *',
  startDate: '2026-01-01T00:00:00.000Z',
  catchup: true,
  params: { region: { default: 'eu', type: 'string', description: 'sales region' } },
});
const hr = serializedDag('hr_sync', [serializedTask('sync')], { tags: ['hr'] });
const ops = serializedDag('ops_cleanup', [serializedTask('clean')], { tags: ['finance'] });

beforeAll(async () => {
  // Only the DAG endpoints are served; another file tests the runs.
  h = await createTaskInstanceHarness('dags-api', {
    endpoints: DAG_ENDPOINTS,
    auth: new TestAuthManager((kind, request) => kind === 'dag' && 'dagId' in request && request.dagId === 'secret_dag'),
  });
  for (const dag of [sales, hr, ops, serializedDag('secret_dag', [serializedTask('x')])]) await saveDag(h, dag);
  await h.metastore.setDagPaused('hr_sync', true);
});
afterAll(() => h.close());

const getJson = async (path: string, init: RequestInit = { headers }) => {
  const response = await h.app.request(path, init);
  // Response bodies are asserted field by field; their shapes are the schemas under test.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (response.status === 204 ? null : await response.json()) as any };
};

describe('GET /api/v2/dags', () => {
  it('lists the DAGs the caller may read, in dag_id order, in Airflow field names', async () => {
    const { status, body } = await getJson('/api/v2/dags');
    expect(status).toBe(200);
    expect(body.total_entries).toBe(3);
    expect(body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['hr_sync', 'ops_cleanup', 'sales_daily']);
    const salesJson = body.dags[2];
    expect(salesJson).toMatchObject({
      dag_id: 'sales_daily',
      is_paused: false,
      is_stale: false,
      fileloc: 'sales_daily.ts',
      timetable_summary: '0 6 * * *',
      tags: [
        { name: 'daily', dag_id: 'sales_daily' },
        { name: 'finance', dag_id: 'sales_daily' },
      ],
      max_active_tasks: 16,
      owners: [],
      has_import_errors: false,
    });
  });

  it('filters by tags (any or all), dag_id_pattern and paused, and pages with limit, offset and order_by', async () => {
    const any = await getJson('/api/v2/dags?tags=finance&tags=hr');
    expect(any.body.total_entries).toBe(3);
    const all = await getJson('/api/v2/dags?tags=finance&tags=daily&tags_match_mode=all');
    expect(all.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['sales_daily']);
    const pattern = await getJson('/api/v2/dags?dag_id_pattern=P%25CLEAN');
    expect(pattern.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['ops_cleanup']);
    const paused = await getJson('/api/v2/dags?paused=true');
    expect(paused.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['hr_sync']);
    const page = await getJson('/api/v2/dags?order_by=-dag_id&limit=1&offset=1');
    expect(page.body).toMatchObject({ total_entries: 3, dags: [{ dag_id: 'ops_cleanup' }] });
  });

  it('answers 400 for an unknown order_by field and 422 for a bad boolean', async () => {
    expect((await getJson('/api/v2/dags?order_by=owner')).status).toBe(400);
    const bad = await getJson('/api/v2/dags?paused=maybe');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'paused']);
  });

  it('answers 401 without a token', async () => {
    expect((await h.app.request('/api/v2/dags')).status).toBe(401);
  });
});

describe('GET /api/v2/dags/{dag_id} and /details', () => {
  it('answers one DAG, and its details with params, catchup and the active run count', async () => {
    const versionId = `v-sales_daily`;
    await h.metastore.createDagRun(runningManualRun('sales_daily', versionId, new Date('2026-02-01T00:00:00Z'), {}, h.clock.now()));
    expect((await getJson('/api/v2/dags/sales_daily')).body).toMatchObject({ dag_id: 'sales_daily', is_paused: false });
    const { status, body } = await getJson('/api/v2/dags/sales_daily/details');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      dag_id: 'sales_daily',
      catchup: true,
      start_date: '2026-01-01T00:00:00.000Z',
      timezone: 'UTC',
      params: { region: { value: 'eu', description: 'sales region', schema: { type: 'string' } } },
      concurrency: 16,
      active_runs_count: 1,
      latest_dag_version: { id: versionId, dag_id: 'sales_daily' },
    });
  });

  it('answers 404 for an unknown DAG and 403 when the auth manager refuses the DAG', async () => {
    const missing = await getJson('/api/v2/dags/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('nope');
    expect((await getJson('/api/v2/dags/secret_dag')).status).toBe(403);
  });
});

describe('PATCH /api/v2/dags/{dag_id} and /api/v2/dags', () => {
  it('pauses and unpauses a DAG', async () => {
    const paused = await getJson('/api/v2/dags/ops_cleanup', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(paused).toMatchObject({ status: 200, body: { dag_id: 'ops_cleanup', is_paused: true } });
    expect((await h.metastore.getDag('ops_cleanup'))!.isPaused).toBe(true);
    await getJson('/api/v2/dags/ops_cleanup?update_mask=is_paused', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: false }) });
    expect((await h.metastore.getDag('ops_cleanup'))!.isPaused).toBe(false);
  });

  it('refuses other fields (422), an update_mask naming them (400), and unknown DAGs (404)', async () => {
    const extra = await getJson('/api/v2/dags/ops_cleanup', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true, owners: [] }) });
    expect(extra.status).toBe(422);
    const mask = await getJson('/api/v2/dags/ops_cleanup?update_mask=description', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(mask.status).toBe(400);
    const missing = await getJson('/api/v2/dags/nope', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(missing.status).toBe(404);
  });

  it('bulk-pauses the DAGs the filters match, and none without dag_id_pattern', async () => {
    const none = await getJson('/api/v2/dags?tags=finance', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(none.body.total_entries).toBe(0);
    const some = await getJson('/api/v2/dags?tags=finance&dag_id_pattern=~', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(some.body.dags.map((d: { dag_id: string; is_paused: boolean }) => [d.dag_id, d.is_paused])).toEqual([
      ['ops_cleanup', true],
      ['sales_daily', true],
    ]);
    const everything = await getJson('/api/v2/dags?dag_id_pattern=~', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: true }) });
    expect(everything.body.total_entries).toBe(3);
    // The auth manager refuses secret_dag: it is neither changed nor listed.
    expect((await h.metastore.getDag('secret_dag'))!.isPaused).toBe(false);
    await getJson('/api/v2/dags?dag_id_pattern=~', { method: 'PATCH', headers: json, body: JSON.stringify({ is_paused: false }) });
    expect((await h.metastore.getDag('hr_sync'))!.isPaused).toBe(false);
  });
});

describe('DELETE /api/v2/dags/{dag_id}', () => {
  it('refuses while a task instance runs, then deletes the DAG with its runs, task instances and versions', async () => {
    const doomed = serializedDag('doomed', [serializedTask('work')]);
    const versionId = await saveDag(h, doomed);
    const run = runningManualRun('doomed', versionId, new Date('2026-02-02T00:00:00Z'), {}, h.clock.now());
    await h.metastore.putDagFile({ fileloc: 'doomed.ts', contentHash: 'sha', dagIds: ['doomed'], lastParsedAt: h.clock.now() });
    await seedRun(h, run, doomed, { work: { state: 'running', tryNumber: 1 } });
    await h.metastore.putXCom({ ...run, taskId: 'work', mapIndex: -1, key: 'return_value', value: 1, objectKey: null, timestamp: h.clock.now() });

    const refused = await getJson('/api/v2/dags/doomed', { method: 'DELETE', headers });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('still running');

    await h.metastore.updateTaskInstance({ ...run, taskId: 'work', mapIndex: -1 }, { state: 'success' });
    expect((await getJson('/api/v2/dags/doomed', { method: 'DELETE', headers })).status).toBe(204);
    expect(await h.metastore.getDag('doomed')).toBeNull();
    expect(await h.metastore.getDagRun(run)).toBeNull();
    expect(await h.metastore.listTaskInstances(run)).toEqual([]);
    expect(await h.metastore.listXComs({ ...run, taskId: 'work', mapIndex: -1 })).toEqual([]);
    expect(await h.metastore.getDagVersion('doomed', versionId)).toBeNull();
    expect(await h.metastore.getDagFile('doomed.ts')).toBeNull();
    expect((await getJson('/api/v2/dags/doomed', { method: 'DELETE', headers })).status).toBe(404);
  });
});
