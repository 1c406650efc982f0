import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetEventRecord } from '../../../../src/core/model/records.ts';
import { stableIntegerId } from '../../../../src/core/model/stable-ids.ts';
import { ASSET_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/assets.ts';
import { createResourcesHarness } from './resources-harness.ts';

const ORDERS = 's3://lake/orders';
const USERS = 's3://lake/users';

function taskEvent(uri: string, at: string, taskId: string, n: number): AssetEventRecord {
  return {
    assetUri: uri,
    extra: { rows: n, token: 'abc' },
    timestamp: new Date(at),
    source: { dagId: 'producer', runId: 'run1', taskId, mapIndex: -1, tryNumber: 1 },
    eventId: `producer/run1/${taskId}/-1/1/${n}`,
  };
}

describe('REST API assets', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  let denied: Awaited<ReturnType<typeof createResourcesHarness>>;

  beforeAll(async () => {
    h = await createResourcesHarness('rest-assets', ASSET_ENDPOINTS);
    denied = await createResourcesHarness('rest-assets-denied', ASSET_ENDPOINTS, (kind, request) => kind === 'asset' && 'method' in request && request.method === 'POST');
    await h.metastore.recordAssetEvents([
      taskEvent(ORDERS, '2026-02-01T00:00:00.000Z', 'load_orders', 1),
      taskEvent(USERS, '2026-02-02T00:00:00.000Z', 'load_users', 2),
      taskEvent(ORDERS, '2026-02-03T00:00:00.000Z', 'load_orders', 3),
    ]);
    // A late report of an older event does not move the asset's last event back.
    await h.metastore.recordAssetEvents([taskEvent(ORDERS, '2026-01-15T00:00:00.000Z', 'backfill_orders', 0)]);
  });
  afterAll(() => {
    h.close();
    denied.close();
  });

  it('lists the assets known from their events, with ids derived from the URI', async () => {
    const body = await (await h.request('GET', '/api/v2/assets?order_by=uri')).json();
    expect(body.total_entries).toBe(2);
    expect(body.assets[0]).toEqual({
      id: stableIntegerId(ORDERS),
      name: ORDERS,
      uri: ORDERS,
      group: 'asset',
      extra: null,
      created_at: '2026-02-01T00:00:00.000Z',
      updated_at: '2026-02-01T00:00:00.000Z',
      consuming_dags: [],
      producing_tasks: [],
      aliases: [],
      last_asset_event_id: expect.any(Number),
      last_asset_event_timestamp: '2026-02-03T00:00:00.000Z',
    });
    const filtered = await (await h.request('GET', '/api/v2/assets?uri_pattern=users')).json();
    expect(filtered.assets.map((a: { uri: string }) => a.uri)).toEqual([USERS]);
  });

  it('gets one asset by id; 404 when unknown, 422 when not an integer', async () => {
    const asset = await (await h.request('GET', `/api/v2/assets/${stableIntegerId(USERS)}`)).json();
    expect(asset).toMatchObject({ uri: USERS, last_asset_event_timestamp: '2026-02-02T00:00:00.000Z' });
    expect((await h.request('GET', '/api/v2/assets/42')).status).toBe(404);
    expect((await h.request('GET', '/api/v2/assets/abc')).status).toBe(422);
  });

  it('lists events across assets, filtered and masked', async () => {
    const all = await (await h.request('GET', '/api/v2/assets/events')).json();
    expect(all.total_entries).toBe(4);
    expect(all.asset_events.map((e: { timestamp: string }) => e.timestamp)).toEqual([
      '2026-01-15T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-02-02T00:00:00.000Z',
      '2026-02-03T00:00:00.000Z',
    ]);
    expect(all.asset_events[1]).toEqual({
      id: expect.any(Number),
      asset_id: stableIntegerId(ORDERS),
      uri: ORDERS,
      name: ORDERS,
      group: 'asset',
      extra: { rows: 1, token: '***' },
      source_task_id: 'load_orders',
      source_dag_id: 'producer',
      source_run_id: 'run1',
      source_map_index: -1,
      created_dagruns: [],
      timestamp: '2026-02-01T00:00:00.000Z',
    });

    const ranged = await (
      await h.request('GET', '/api/v2/assets/events?timestamp_gte=2026-02-01T00:00:00Z&timestamp_lte=2026-02-02T00:00:00Z')
    ).json();
    expect(ranged.asset_events.map((e: { extra: { rows: number } }) => e.extra.rows)).toEqual([1, 2]);

    const byAsset = await (await h.request('GET', `/api/v2/assets/events?asset_id=${stableIntegerId(ORDERS)}&source_task_id=load_orders&order_by=-timestamp`)).json();
    expect(byAsset.asset_events.map((e: { extra: { rows: number } }) => e.extra.rows)).toEqual([3, 1]);
    expect((await h.request('GET', '/api/v2/assets/events?timestamp_gte=yesterday')).status).toBe(422);
  });

  it('records an external event for a known asset, or a new one named by URI', async () => {
    const created = await h.request('POST', '/api/v2/assets/events', { asset_id: stableIntegerId(USERS), extra: { note: 'manual' } });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({
      asset_id: stableIntegerId(USERS),
      uri: USERS,
      extra: { note: 'manual', from_rest_api: true },
      source_dag_id: null,
      source_map_index: -1,
      timestamp: '2026-03-01T10:00:00.000Z',
    });
    const asset = await (await h.request('GET', `/api/v2/assets/${stableIntegerId(USERS)}`)).json();
    expect(asset.last_asset_event_timestamp).toBe('2026-03-01T10:00:00.000Z');

    const byUri = await h.request('POST', '/api/v2/assets/events', { uri: 's3://lake/new' });
    expect(byUri.status).toBe(200);
    expect((await h.request('GET', `/api/v2/assets/${stableIntegerId('s3://lake/new')}`)).status).toBe(200);
  });

  it('answers 404 for an unknown asset id and 422 for a body naming none or both', async () => {
    expect((await h.request('POST', '/api/v2/assets/events', { asset_id: 7 })).status).toBe(404);
    expect((await h.request('POST', '/api/v2/assets/events', { extra: {} })).status).toBe(422);
    expect((await h.request('POST', '/api/v2/assets/events', { asset_id: 7, uri: 's3://x' })).status).toBe(422);
  });

  it('is guarded: 401 without a token, 403 when the auth manager refuses', async () => {
    expect((await h.app.request('/api/v2/assets')).status).toBe(401);
    expect((await denied.request('GET', '/api/v2/assets')).status).toBe(200);
    expect((await denied.request('POST', '/api/v2/assets/events', { uri: 's3://x' })).status).toBe(403);
    expect(denied.authManager.checks.at(-1)).toMatchObject({ kind: 'asset', request: { method: 'POST' } });
  });
});
