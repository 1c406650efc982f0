import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { DAG_RUN_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/dag-runs.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, seedRun, type TaskInstanceHarness } from './task-instances-harness.ts';

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();
const json = { ...headers, 'Content-Type': 'application/json' };

const etl = serializedDag('etl', [serializedTask('extract'), serializedTask('load', ['extract'])], {
  params: { table: { type: 'string' }, batch: { default: 10, type: 'integer' } },
});
const other = serializedDag('other', [serializedTask('only')]);
let etlVersion: string;
let finished: DagRunRecord;
let running: DagRunRecord;
let otherRun: DagRunRecord;

beforeAll(async () => {
  h = await createTaskInstanceHarness('dag-runs-api', {
    endpoints: DAG_RUN_ENDPOINTS,
    auth: new TestAuthManager((kind, request) => kind === 'dag' && 'dagId' in request && request.dagId === 'other' && request.method === 'DELETE'),
  });
  etlVersion = await saveDag(h, etl);
  const otherVersion = await saveDag(h, other);
  const t0 = new Date('2026-02-27T00:00:00Z');
  finished = { ...runningManualRun('etl', etlVersion, new Date('2026-02-26T00:00:00Z'), { table: 'a' }, t0), state: 'failed', endDate: t0 };
  await seedRun(h, finished, etl, { extract: { state: 'success', tryNumber: 1 }, load: { state: 'failed', tryNumber: 1, endDate: t0 } });
  running = runningManualRun('etl', etlVersion, new Date('2026-02-28T00:00:00Z'), {}, t0);
  await seedRun(h, running, etl, { extract: { state: 'running', tryNumber: 1, executor: 'lambda' } });
  otherRun = { ...runningManualRun('other', otherVersion, new Date('2026-02-27T00:00:00Z'), {}, t0), runType: 'scheduled', runId: 'scheduled__x' };
  await seedRun(h, otherRun, other, {});
});
afterAll(() => h.close());

const call = async (path: string, init: RequestInit = { headers }) => {
  const response = await h.app.request(path, init);
  // Response bodies are asserted field by field; their shapes are the schemas under test.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (response.status === 204 ? null : await response.json()) as any };
};
const runPath = (run: DagRunRecord) => `/api/v2/dags/${run.dagId}/dagRuns/${encodeURIComponent(run.runId)}`;

describe('GET dagRuns', () => {
  it('lists a DAG\'s runs in Airflow field names, filtered by state and dates', async () => {
    const { status, body } = await call('/api/v2/dags/etl/dagRuns');
    expect(status).toBe(200);
    expect(body.total_entries).toBe(2);
    expect(body.dag_runs[0]).toMatchObject({
      dag_run_id: finished.runId,
      dag_id: 'etl',
      logical_date: '2026-02-26T00:00:00.000Z',
      state: 'failed',
      run_type: 'manual',
      conf: { table: 'a' },
      note: null,
      dag_versions: [{ id: etlVersion, dag_id: 'etl' }],
    });
    expect((await call('/api/v2/dags/etl/dagRuns?state=running')).body.dag_runs.map((r: { state: string }) => r.state)).toEqual(['running']);
    const since = await call(`/api/v2/dags/etl/dagRuns?logical_date_gte=${encodeURIComponent('2026-02-27T00:00:00Z')}`);
    expect(since.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id)).toEqual([running.runId]);
    const ordered = await call('/api/v2/dags/etl/dagRuns?order_by=-logical_date&limit=1');
    expect(ordered.body).toMatchObject({ total_entries: 2, dag_runs: [{ dag_run_id: running.runId }] });
  });

  it('lists every DAG\'s runs with ~, filtered by run_type', async () => {
    const all = await call('/api/v2/dags/~/dagRuns');
    expect(all.body.total_entries).toBe(3);
    const scheduled = await call('/api/v2/dags/~/dagRuns?run_type=scheduled');
    expect(scheduled.body.dag_runs.map((r: { dag_id: string; triggered_by: string }) => [r.dag_id, r.triggered_by])).toEqual([['other', 'timetable']]);
  });

  it('answers 404 for an unknown DAG and 422 for an unknown state', async () => {
    expect((await call('/api/v2/dags/nope/dagRuns')).status).toBe(404);
    const bad = await call('/api/v2/dags/etl/dagRuns?state=done');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc[1]).toBe('state');
  });

  it('answers one run, or 404 naming it', async () => {
    expect((await call(runPath(running))).body).toMatchObject({ dag_run_id: running.runId, state: 'running' });
    const missing = await call('/api/v2/dags/etl/dagRuns/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('`nope`');
  });
});

describe('POST dagRuns (trigger)', () => {
  const trigger = (body: unknown, dagId = 'etl') =>
    call(`/api/v2/dags/${dagId}/dagRuns`, { method: 'POST', headers: json, body: JSON.stringify(body) });

  it('creates a queued manual run with conf, note and an explicit data interval', async () => {
    const { status, body } = await trigger({
      dag_run_id: 'my_run',
      logical_date: '2026-03-01T00:00:00Z',
      data_interval_start: '2026-02-28T00:00:00Z',
      data_interval_end: '2026-03-01T00:00:00Z',
      conf: { table: 'orders' },
      note: 'backfill by hand',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      dag_run_id: 'my_run',
      state: 'queued',
      run_type: 'manual',
      logical_date: '2026-03-01T00:00:00.000Z',
      data_interval_start: '2026-02-28T00:00:00.000Z',
      conf: { table: 'orders' },
      note: 'backfill by hand',
    });
    expect((await h.metastore.getDagRun({ dagId: 'etl', runId: 'my_run' }))!.state).toBe('queued');
  });

  it('derives the run id from the logical date, taking now for a null one', async () => {
    const { body } = await trigger({ logical_date: null, conf: { table: 't' } });
    expect(body).toMatchObject({ dag_run_id: 'manual__2026-03-01T10:00:00+00:00', logical_date: '2026-03-01T10:00:00.000Z' });
  });

  it('answers 400 naming the param when conf does not satisfy the params', async () => {
    const missing = await trigger({ logical_date: null, dag_run_id: 'r1', conf: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain('"table"');
    const wrongType = await trigger({ logical_date: null, dag_run_id: 'r2', conf: { table: 't', batch: 'ten' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.detail).toContain('"batch" must be of type integer');
  });

  it('answers 422 without logical_date or with half a data interval, 409 for an existing run, 404 for an unknown DAG', async () => {
    expect((await trigger({ conf: { table: 't' } })).status).toBe(422);
    const half = await trigger({ logical_date: null, data_interval_start: '2026-02-28T00:00:00Z', conf: { table: 't' } });
    expect(half.status).toBe(422);
    expect(half.body.detail[0].loc).toEqual(['body', 'data_interval_start']);
    const twice = await trigger({ logical_date: null, dag_run_id: 'my_run', conf: { table: 't' } });
    expect(twice.status).toBe(409);
    expect((await trigger({ logical_date: null }, 'nope')).status).toBe(404);
  });
});

describe('PATCH dagRuns/{dag_run_id}', () => {
  it('marks a run failed as Airflow does: running instances failed, unstarted ones skipped, end date set', async () => {
    const { status, body } = await call(runPath(running), { method: 'PATCH', headers: json, body: JSON.stringify({ state: 'failed', note: 'stuck' }) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ state: 'failed', end_date: '2026-03-01T10:00:00.000Z', note: 'stuck' });
    const states = Object.fromEntries((await h.metastore.listTaskInstances(running)).map((ti) => [ti.taskId, ti.state]));
    expect(states).toEqual({ extract: 'failed', load: 'skipped' });
    expect(h.executor.stopped).toEqual([{ taskId: 'extract', tryNumber: 1, reason: 'its DAG run was marked failed' }]);
  });

  it('sets only the note with update_mask, and answers 422 for another state and 404 for an unknown run', async () => {
    const { body } = await call(`${runPath(finished)}?update_mask=note`, { method: 'PATCH', headers: json, body: JSON.stringify({ state: 'success', note: 'ok' }) });
    expect(body).toMatchObject({ state: 'failed', note: 'ok' });
    expect((await call(runPath(finished), { method: 'PATCH', headers: json, body: JSON.stringify({ state: 'running' }) })).status).toBe(422);
    expect((await call('/api/v2/dags/etl/dagRuns/nope', { method: 'PATCH', headers: json, body: JSON.stringify({ note: 'x' }) })).status).toBe(404);
  });
});

describe('POST dagRuns/{dag_run_id}/clear', () => {
  it('answers what it would clear on a dry run (the default), then clears and requeues the run', async () => {
    const dry = await call(`${runPath(finished)}/clear`, { method: 'POST', headers: json, body: JSON.stringify({ only_failed: true }) });
    expect(dry.status).toBe(200);
    expect(dry.body.task_instances.map((ti: { task_id: string }) => ti.task_id)).toEqual(['load']);
    expect((await h.metastore.getTaskInstance({ ...finished, taskId: 'load', mapIndex: -1 }))!.state).toBe('failed');

    const done = await call(`${runPath(finished)}/clear`, { method: 'POST', headers: json, body: JSON.stringify({ dry_run: false, only_failed: true }) });
    expect(done.body).toMatchObject({ dag_run_id: finished.runId, state: 'queued' });
    expect((await h.metastore.getTaskInstance({ ...finished, taskId: 'load', mapIndex: -1 }))!.state).toBe('none');
    expect((await h.metastore.getTaskInstance({ ...finished, taskId: 'extract', mapIndex: -1 }))!.state).toBe('success');
  });
});

describe('DELETE dagRuns/{dag_run_id}', () => {
  it('deletes the run and its task instances; 404 after; 403 when the auth manager refuses', async () => {
    expect((await call(runPath(otherRun), { method: 'DELETE', headers })).status).toBe(403);
    expect((await call(runPath(running), { method: 'DELETE', headers })).status).toBe(204);
    expect(await h.metastore.getDagRun(running)).toBeNull();
    expect(await h.metastore.listTaskInstances(running)).toEqual([]);
    expect((await call(runPath(running), { method: 'DELETE', headers })).status).toBe(404);
    expect((await h.app.request(runPath(running), { method: 'DELETE' })).status).toBe(401);
  });
});
