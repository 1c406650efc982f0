import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/connections.ts';
import { createResourcesHarness } from './resources-harness.ts';

const POSTGRES = {
  connection_id: 'warehouse',
  conn_type: 'postgres',
  host: 'db.internal',
  login: 'etl',
  password: 's3cret',
  schema: 'analytics',
  port: 5432,
  extra: JSON.stringify({ sslmode: 'require', api_key: 'abc' }),
};

describe('REST API connections', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  let denied: Awaited<ReturnType<typeof createResourcesHarness>>;

  beforeAll(async () => {
    h = await createResourcesHarness('rest-connections', CONNECTION_ENDPOINTS);
    denied = await createResourcesHarness('rest-connections-denied', CONNECTION_ENDPOINTS, (kind) => kind === 'connection');
  });
  afterAll(() => {
    h.close();
    denied.close();
  });

  it('creates a connection and never returns its password or sensitive extra', async () => {
    const created = await h.request('POST', '/api/v2/connections', POSTGRES);
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toEqual({
      connection_id: 'warehouse',
      conn_type: 'postgres',
      description: null,
      host: 'db.internal',
      login: 'etl',
      schema: 'analytics',
      port: 5432,
      password: '***',
      extra: '{"sslmode":"require","api_key":"***"}',
      team_name: null,
    });
    const text = await (await h.request('GET', '/api/v2/connections/warehouse')).text();
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('abc');
    const list = await (await h.request('GET', '/api/v2/connections')).json();
    expect(list.total_entries).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(list)).not.toContain('s3cret');
  });

  it('keeps the stored secrets when a client sends back the masked values', async () => {
    await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'roundtrip' });
    const read = await (await h.request('GET', '/api/v2/connections/roundtrip')).json();
    const patched = await h.request('PATCH', '/api/v2/connections/roundtrip', {
      connection_id: read.connection_id,
      conn_type: read.conn_type,
      host: 'new-host',
      login: read.login,
      schema: read.schema,
      port: read.port,
      password: read.password,
      extra: read.extra,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ host: 'new-host', password: '***' });
    const stored = await h.metastore.getConnection('roundtrip');
    expect(stored).toMatchObject({ host: 'new-host', password: 's3cret', extra: { sslmode: 'require', api_key: 'abc' } });
  });

  it('updates only the fields in update_mask', async () => {
    await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'masked' });
    await h.request('PATCH', '/api/v2/connections/masked?update_mask=port', { connection_id: 'masked', conn_type: 'http', port: 6543 });
    expect(await h.metastore.getConnection('masked')).toMatchObject({ connType: 'postgres', port: 6543, host: 'db.internal' });
  });

  it('answers 409, 404, 400 and 422 where a user can hit them', async () => {
    await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'twice' });
    expect((await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'twice' })).status).toBe(409);
    expect((await h.request('GET', '/api/v2/connections/absent')).status).toBe(404);
    expect((await h.request('DELETE', '/api/v2/connections/absent')).status).toBe(404);
    expect((await h.request('PATCH', '/api/v2/connections/twice', { ...POSTGRES, connection_id: 'other' })).status).toBe(400);
    const badExtra = await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'bad', extra: '[1]' });
    expect(badExtra.status).toBe(422);
    expect((await badExtra.json()).detail[0].loc).toEqual(['body', 'extra']);
    expect((await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'has space' })).status).toBe(422);
  });

  it('deletes a connection', async () => {
    await h.request('POST', '/api/v2/connections', { ...POSTGRES, connection_id: 'gone' });
    expect((await h.request('DELETE', '/api/v2/connections/gone')).status).toBe(204);
    expect(await h.metastore.getConnection('gone')).toBeNull();
  });

  it('refuses to test connections, as Airflow does by default', async () => {
    const tested = await h.request('POST', '/api/v2/connections/test', POSTGRES);
    expect(tested.status).toBe(403);
    expect((await tested.json()).detail).toContain('disabled');
  });

  it('is guarded: 401 without a token, 403 when the auth manager refuses', async () => {
    expect((await h.app.request('/api/v2/connections/warehouse')).status).toBe(401);
    expect((await denied.request('GET', '/api/v2/connections/warehouse')).status).toBe(403);
    expect(denied.authManager.checks.at(-1)).toMatchObject({ kind: 'connection', request: { method: 'GET', id: 'warehouse' } });
  });
});
