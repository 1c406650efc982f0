import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { executorLogKey, taskLogKey } from '../../../../src/core/model/workload.ts';
import { logEndpoints } from '../../../../src/http/rest-api/endpoints/task-instance-logs.ts';
import { XCOM_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/xcom.ts';
import { XComValues } from '../../../../src/services/execution/xcom-values.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, seedRun, type TaskInstanceHarness } from './task-instances-harness.ts';

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();
const json = { ...headers, 'Content-Type': 'application/json' };
const dag = serializedDag('logs', [serializedTask('work'), serializedTask('later', ['work'])]);
let run: DagRunRecord;
const t0 = new Date('2026-03-01T09:00:00Z');
const key = () => ({ dagId: run.dagId, runId: run.runId, taskId: 'work', mapIndex: -1 });
const path = (suffix: string) => `/api/v2/dags/logs/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/${suffix}`;

beforeAll(async () => {
  h = await createTaskInstanceHarness('ti-logs', { endpoints: [...logEndpoints({ chunkBytes: 50 }), ...XCOM_ENDPOINTS] });
  await saveDag(h, dag);
  run = runningManualRun('logs', 'v-logs', new Date('2026-03-01T00:00:00Z'), {}, t0);
  await seedRun(h, run, dag, {
    work: { state: 'success', tryNumber: 2, startDate: t0, endDate: t0, executor: 'lambda', externalExecutorId: 'arn:task/1' },
    later: { state: 'running', tryNumber: 1, startDate: t0, executor: 'lambda' },
  });
  await h.objectStore.put(taskLogKey({ ...key(), tryNumber: 1 }), '[2026-03-01T09:00:00.000Z] ERROR boom\n');
  await h.objectStore.put(
    taskLogKey({ ...key(), tryNumber: 2 }),
    '[2026-03-01T09:00:01.000Z] INFO starting work\n[2026-03-01T09:00:02.000Z] INFO step two\nplain line\n',
  );
});

afterAll(() => h.close());

describe('GET logs', () => {
  it('answers a long log in chunks with a continuation token, then the executor output', async () => {
    const first = await (await h.app.request(path('work/logs/2'), { headers })).json() as any;
    expect(first.content).toEqual([{ timestamp: '2026-03-01T09:00:01.000Z', level: 'info', event: 'starting work' }]);
    expect(first.continuation_token).toEqual(expect.any(String));

    const events: string[] = [];
    let token: string | null = first.continuation_token;
    while (token) {
      const next = await (await h.app.request(path(`work/logs/2?token=${token}`), { headers })).json() as any;
      events.push(...next.content.map((m: { event: string }) => m.event));
      token = next.continuation_token;
    }
    expect(events).toEqual(['step two', 'plain line', '--- Executor output (lambda) ---', 'container arn:task/1']);
  });

  it('answers everything at once with full_content, and plain text when asked', async () => {
    const full = await (await h.app.request(path('work/logs/2?full_content=true'), { headers })).json() as any;
    expect(full.continuation_token).toBeNull();
    expect(full.content.map((m: { event: string }) => m.event).slice(0, 3)).toEqual(['starting work', 'step two', 'plain line']);

    await h.objectStore.put(executorLogKey({ ...key(), tryNumber: 1 }), 'exit code 1\n');
    const text = await h.app.request(path('work/logs/1'), { headers: { ...headers, Accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toBe('[2026-03-01T09:00:00.000Z] ERROR boom\n--- Executor output ---\nexit code 1\n');
  });

  it('says a running attempt has not written its log yet, and gives a token to poll with', async () => {
    const body = await (await h.app.request(path('later/logs/1'), { headers })).json() as any;
    expect(body.content[0].event).toContain('has not ended yet (state running)');
    expect(body.continuation_token).toEqual(expect.any(String));
  });

  it('says a log is not written yet when the attempt ended a moment ago, and missing later', async () => {
    await h.metastore.updateTaskInstance({ ...key(), taskId: 'later' }, { state: 'failed', endDate: h.clock.now() });
    const soon = await (await h.app.request(path('later/logs/1'), { headers })).json() as any;
    expect(soon.content[0].event).toContain('not written yet');
    h.clock.advanceSeconds(3600);
    const late = await (await h.app.request(path('later/logs/1'), { headers })).json() as any;
    expect(late.content[0].event).toContain('No log was found for try 1');
    expect(late.continuation_token).toBeNull();
  });

  it('answers 404 for a try that never happened, 400 for a forged token, 403 when logs may not be read', async () => {
    expect((await h.app.request(path('work/logs/3'), { headers })).status).toBe(404);
    const forged = await h.app.request(path('work/logs/2?token=not-a-token'), { headers });
    expect(forged.status).toBe(400);
    expect((await forged.json() as any).detail).toContain('continuation_token');
    const denying = await createTaskInstanceHarness('ti-logs-deny', {
      endpoints: logEndpoints(),
      auth: new TestAuthManager((_kind, request) => 'accessEntity' in request && request.accessEntity === 'TASK_LOGS'),
    });
    try {
      expect((await denying.app.request('/api/v2/dags/logs/dagRuns/r/taskInstances/work/logs/1', { headers })).status).toBe(403);
    } finally {
      denying.close();
    }
  });
});

describe('XCom entries', () => {
  beforeAll(async () => {
    const values = new XComValues({ metastore: h.metastore, objectStore: h.objectStore, clock: h.clock, logger: h.logger });
    await values.put(key(), 'return_value', { rows: 3 });
    await values.put(key(), 'big', 'x'.repeat(70 * 1024));
  });

  it('lists the entries of a task instance without values', async () => {
    const body = await (await h.app.request(path('work/xcomEntries'), { headers })).json() as any;
    expect(body.total_entries).toBe(2);
    expect(body.xcom_entries.map((x: { key: string }) => x.key)).toEqual(['big', 'return_value']);
    expect(body.xcom_entries[1]).toEqual({
      key: 'return_value',
      timestamp: h.clock.now().toISOString(),
      logical_date: run.logicalDate.toISOString(),
      map_index: -1,
      task_id: 'work',
      dag_id: 'logs',
      run_id: run.runId,
      dag_display_name: 'logs',
      task_display_name: 'work',
    });
    const across = await (await h.app.request('/api/v2/dags/logs/dagRuns/~/taskInstances/~/xcomEntries?xcom_key=big', { headers })).json() as any;
    expect(across.total_entries).toBe(1);
  });

  it('gets an entry with its value, large values included, or as text with stringify', async () => {
    const small = await (await h.app.request(path('work/xcomEntries/return_value'), { headers })).json() as any;
    expect(small.value).toEqual({ rows: 3 });
    const big = await (await h.app.request(path('work/xcomEntries/big'), { headers })).json() as any;
    expect(big.value).toHaveLength(70 * 1024);
    const text = await (await h.app.request(path('work/xcomEntries/return_value?stringify=true'), { headers })).json() as any;
    expect(text.value).toBe('{"rows":3}');
    expect((await h.app.request(path('work/xcomEntries/missing'), { headers })).status).toBe(404);
  });

  it('creates (201, then 409) and updates (200, 404 when missing) entries', async () => {
    const create = () => h.app.request(path('work/xcomEntries'), { method: 'POST', headers: json, body: JSON.stringify({ key: 'note', value: [1, 2] }) });
    const created = await create();
    expect(created.status).toBe(201);
    expect(await created.json() as any).toMatchObject({ key: 'note', value: [1, 2] });
    expect((await create()).status).toBe(409);
    const updated = await h.app.request(path('work/xcomEntries/note'), { method: 'PATCH', headers: json, body: JSON.stringify({ value: 'new' }) });
    expect(await updated.json() as any).toMatchObject({ key: 'note', value: 'new' });
    const missing = await h.app.request(path('work/xcomEntries/none'), { method: 'PATCH', headers: json, body: JSON.stringify({ value: 1 }) });
    expect(missing.status).toBe(404);
    const unknownTask = await h.app.request(path('ghost/xcomEntries'), { method: 'POST', headers: json, body: JSON.stringify({ key: 'k', value: 1 }) });
    expect(unknownTask.status).toBe(404);
  });

  it('is guarded: 401 without a token', async () => {
    expect((await h.app.request(path('work/xcomEntries'))).status).toBe(401);
    expect((await h.app.request(path('work/xcomEntries/return_value'))).status).toBe(401);
  });
});
