import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBackfillStore } from '../../../../src/aws/dynamodb/backfill-store.ts';
import { runIdFor } from '../../../../src/core/model/keys.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { BACKFILL_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/backfills.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { NOW, recordingLogger } from './rest-api-harness.ts';
import type { TestResponse } from './resources-harness.ts';

/** The backfill endpoints over DynamoDB Local, with a test auth manager that refuses what `deny` says. */
async function createHarness(storage: EmulatorStorage, deny?: ConstructorParameters<typeof TestAuthManager>[0]) {
  const clock = new ManualClock(NOW);
  const backfills = new DynamoDbBackfillStore(storage.dynamo, storage.tableName);
  const authManager = new TestAuthManager(deny);
  const app = createRestApiApp({
    metastore: storage.metastore,
    objectStore: storage.objectStore,
    pools: {} as never,
    backfills,
    authManager,
    clock,
    logger: recordingLogger(),
    version: '0.0.0-test',
    endpoints: BACKFILL_ENDPOINTS,
  });
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = TestAuthManager.headers()): Promise<TestResponse> =>
    app.request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { request, authManager, backfills };
}

let storage: EmulatorStorage;
let h: Awaited<ReturnType<typeof createHarness>>;

const daily = (dagId: string) =>
  serializedDag(dagId, [serializedTask('work')], {
    timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
    scheduleDescription: '@daily',
    startDate: '2026-01-01T00:00:00.000Z',
  });
const body = (dagId: string, extra: Record<string, unknown> = {}) => ({
  dag_id: dagId,
  from_date: '2026-02-20T00:00:00Z',
  to_date: '2026-02-23T00:00:00Z',
  ...extra,
});

beforeAll(async () => {
  storage = await createEmulatorStorage('rest-backfills');
  h = await createHarness(storage);
  const now = new Date(NOW);
  for (const dagId of ['bf_main', 'bf_dry', 'bf_cancel', 'bf_guard']) await saveSerializedDag(storage.metastore, daily(dagId), now);
  await saveSerializedDag(storage.metastore, serializedDag('bf_manual_only', [serializedTask('work')]), now);
  await saveSerializedDag(storage.metastore, { ...daily('bf_past'), tasks: [serializedTask('work', [], { dependsOnPast: true })] }, now);
});
afterAll(() => storage.close());

describe('REST API backfills', () => {
  it('creates a backfill with Airflow\'s shape, then gets, lists, pauses and unpauses it', async () => {
    const created = await h.request('POST', '/api/v2/backfills', body('bf_main', { max_active_runs: 2, dag_run_conf: { region: 'eu' }, reprocess_behavior: 'failed' }));
    expect(created.status).toBe(200);
    const backfill = await created.json();
    expect(backfill).toEqual({
      id: expect.any(Number),
      dag_id: 'bf_main',
      from_date: '2026-02-20T00:00:00.000Z',
      to_date: '2026-02-23T00:00:00.000Z',
      dag_run_conf: { region: 'eu' },
      is_paused: false,
      reprocess_behavior: 'failed',
      max_active_runs: 2,
      created_at: NOW,
      completed_at: null,
      updated_at: NOW,
      dag_display_name: 'bf_main',
    });
    const runs = await storage.metastore.listDagRuns('bf_main');
    expect(runs.map((r) => `${r.runId}:${r.runType}:${r.state}`).sort()).toEqual(
      ['2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'].map((day) => `${runIdFor('backfill', new Date(`${day}T00:00:00Z`))}:backfill:queued`),
    );

    const got = await h.request('GET', `/api/v2/backfills/${backfill.id}`);
    expect(await got.json()).toEqual(backfill);
    const listed = await (await h.request('GET', '/api/v2/backfills?dag_id=bf_main')).json();
    expect(listed).toEqual({ backfills: [backfill], total_entries: 1 });
    expect(await (await h.request('GET', '/api/v2/backfills?dag_id=nobody')).json()).toEqual({ backfills: [], total_entries: 0 });

    expect((await (await h.request('PUT', `/api/v2/backfills/${backfill.id}/pause`)).json()).is_paused).toBe(true);
    expect((await (await h.request('PUT', `/api/v2/backfills/${backfill.id}/unpause`)).json()).is_paused).toBe(false);

    const again = await h.request('POST', '/api/v2/backfills', body('bf_main'));
    expect(again.status).toBe(409);
    expect((await again.json()).detail).toContain('There is already a running backfill for dag bf_main');
  });

  it('a dry run lists the logical dates in start order and creates nothing', async () => {
    const response = await h.request('POST', '/api/v2/backfills/dry_run', body('bf_dry', { run_backwards: true }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      backfills: ['2026-02-23', '2026-02-22', '2026-02-21', '2026-02-20'].map((day) => ({
        logical_date: `${day}T00:00:00.000Z`,
        partition_key: null,
        partition_date: null,
      })),
      total_entries: 4,
    });
    expect(await storage.metastore.listDagRuns('bf_dry')).toEqual([]);
    expect(await h.backfills.listBackfills('bf_dry')).toEqual([]);
  });

  it('cancel fails the queued runs and completes the backfill; a completed one answers 409', async () => {
    const backfill = await (await h.request('POST', '/api/v2/backfills', body('bf_cancel'))).json();
    const cancelled = await h.request('PUT', `/api/v2/backfills/${backfill.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: backfill.id, is_paused: true, completed_at: NOW });
    expect((await storage.metastore.listDagRuns('bf_cancel')).map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed']);
    for (const action of ['cancel', 'pause', 'unpause']) {
      const response = await h.request('PUT', `/api/v2/backfills/${backfill.id}/${action}`);
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ detail: 'Backfill is already completed.' });
    }
  });

  it('answers 404 for an unknown backfill or DAG, 422 for a bad id, body or range', async () => {
    expect((await h.request('GET', '/api/v2/backfills/424242')).status).toBe(404);
    expect((await h.request('PUT', '/api/v2/backfills/424242/cancel')).status).toBe(404);
    const unknownDag = await h.request('POST', '/api/v2/backfills', body('no_such_dag'));
    expect(unknownDag.status).toBe(404);
    expect((await unknownDag.json()).detail).toContain('Could not find dag no_such_dag');

    const badId = await h.request('GET', '/api/v2/backfills/abc');
    expect(badId.status).toBe(422);
    expect((await badId.json()).detail[0].loc).toEqual(['path', 'backfill_id']);
    const noDagId = await h.request('GET', '/api/v2/backfills');
    expect(noDagId.status).toBe(422);
    expect((await noDagId.json()).detail[0].loc).toEqual(['query', 'dag_id']);
    const badBehavior = await h.request('POST', '/api/v2/backfills', body('bf_dry', { reprocess_behavior: 'sometimes' }));
    expect(badBehavior.status).toBe(422);
    expect((await badBehavior.json()).detail[0].loc).toEqual(['body', 'reprocess_behavior']);
    expect((await h.request('POST', '/api/v2/backfills', body('bf_dry', { unknown_field: 1 }))).status).toBe(422);

    const future = await h.request('POST', '/api/v2/backfills/dry_run', body('bf_dry', { from_date: '2027-01-01T00:00:00Z', to_date: '2027-02-01T00:00:00Z' }));
    expect(future.status).toBe(422);
    expect((await future.json()).detail).toContain('Backfill cannot be executed for future dates');
    const unscheduled = await h.request('POST', '/api/v2/backfills', body('bf_manual_only'));
    expect(unscheduled.status).toBe(422);
    expect((await unscheduled.json()).detail).toContain('non-periodic schedule');

    for (const path of ['/api/v2/backfills', '/api/v2/backfills/dry_run']) {
      const reverse = await h.request('POST', path, body('bf_past', { run_backwards: true }));
      expect(reverse.status).toBe(422);
      expect((await reverse.json()).detail).toContain('Backfill cannot be run in reverse when the DAG has tasks where depends_on_past=True (work)');
    }
    expect(await h.backfills.listBackfills('bf_past')).toEqual([]);
  });

  it('is guarded: 401 without a token, 403 when the backfill permission or the DAG\'s run access is refused', async () => {
    expect((await h.request('GET', '/api/v2/backfills?dag_id=bf_guard', undefined, {})).status).toBe(401);
    expect((await h.request('POST', '/api/v2/backfills', body('bf_guard'), {})).status).toBe(401);

    const noBackfills = await createHarness(storage, (kind) => kind === 'backfill');
    expect((await noBackfills.request('GET', '/api/v2/backfills?dag_id=bf_guard')).status).toBe(403);
    expect((await noBackfills.request('POST', '/api/v2/backfills/dry_run', body('bf_guard'))).status).toBe(403);

    const noRuns = await createHarness(storage, (kind, request) => kind === 'dag' && 'accessEntity' in request && request.accessEntity === 'RUN');
    const refused = await noRuns.request('POST', '/api/v2/backfills', body('bf_guard'));
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toContain('RUN of DAG "bf_guard"');
    expect(await h.backfills.listBackfills('bf_guard')).toEqual([]);
    expect(noRuns.authManager.checks.map((c) => c.kind)).toEqual(['backfill', 'dag']);
  });
});
