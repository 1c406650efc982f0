import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIABLE_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/variables.ts';
import { createResourcesHarness } from './resources-harness.ts';

describe('REST API variables', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  let denied: Awaited<ReturnType<typeof createResourcesHarness>>;

  beforeAll(async () => {
    h = await createResourcesHarness('rest-variables', VARIABLE_ENDPOINTS);
    denied = await createResourcesHarness('rest-variables-denied', VARIABLE_ENDPOINTS, (kind, request) => kind === 'variable' && 'method' in request && request.method !== 'GET');
  });
  afterAll(() => {
    h.close();
    denied.close();
  });

  it('creates, reads, lists, updates and deletes a variable', async () => {
    const created = await h.request('POST', '/api/v2/variables', { key: 'region', value: 'eu-west-1', description: 'where we run' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ key: 'region', value: 'eu-west-1', description: 'where we run', is_encrypted: false, team_name: null });

    const read = await h.request('GET', '/api/v2/variables/region');
    expect(await read.json()).toMatchObject({ key: 'region', value: 'eu-west-1' });

    const patched = await h.request('PATCH', '/api/v2/variables/region?update_mask=value', { key: 'region', value: 'us-east-1', description: 'ignored' });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ value: 'us-east-1', description: 'where we run' });

    const deleted = await h.request('DELETE', '/api/v2/variables/region');
    expect(deleted.status).toBe(204);
    expect((await h.request('GET', '/api/v2/variables/region')).status).toBe(404);
    expect((await h.request('DELETE', '/api/v2/variables/region')).status).toBe(404);
  });

  it('stores a JSON value as JSON text and masks sensitive keys', async () => {
    await h.request('POST', '/api/v2/variables', { key: 'settings', value: { user: 'etl', password: 'hunter2' } });
    await h.request('POST', '/api/v2/variables', { key: 'db_password', value: 'hunter2' });
    expect(await (await h.request('GET', '/api/v2/variables/settings')).json()).toMatchObject({ value: '{"user":"etl","password":"***"}' });
    expect(await (await h.request('GET', '/api/v2/variables/db_password')).json()).toMatchObject({ value: '***' });
    // What tasks read is unchanged.
    expect((await h.metastore.getVariable('db_password'))?.value).toBe('hunter2');
  });

  it('pages, orders and filters the list', async () => {
    for (const key of ['list_a', 'list_b', 'list_c']) await h.metastore.putVariable({ key, value: key, description: null });
    const body = await (await h.request('GET', '/api/v2/variables?variable_key_pattern=list_&order_by=-key&limit=2&offset=0')).json();
    expect(body.total_entries).toBe(3);
    expect(body.variables.map((v: { key: string }) => v.key)).toEqual(['list_c', 'list_b']);
  });

  it('answers 409 for an existing key, 400 for a key mismatch, 404 for a missing one, 422 for a bad body', async () => {
    await h.request('POST', '/api/v2/variables', { key: 'dup', value: '1' });
    const conflict = await h.request('POST', '/api/v2/variables', { key: 'dup', value: '2' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).detail).toContain('already exists');

    expect((await h.request('PATCH', '/api/v2/variables/dup', { key: 'other', value: '2' })).status).toBe(400);
    expect((await h.request('PATCH', '/api/v2/variables/missing', { key: 'missing', value: '2' })).status).toBe(404);

    const invalid = await h.request('POST', '/api/v2/variables', { value: 'no key' });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail[0].loc).toEqual(['body', 'key']);
    expect((await h.request('GET', '/api/v2/variables?order_by=nope')).status).toBe(400);
  });

  it('is guarded: 401 without a token, 403 when the auth manager refuses', async () => {
    expect((await h.app.request('/api/v2/variables')).status).toBe(401);
    expect((await denied.request('GET', '/api/v2/variables')).status).toBe(200);
    const refused = await denied.request('DELETE', '/api/v2/variables/anything');
    expect(refused.status).toBe(403);
    expect(denied.authManager.checks.at(-1)).toMatchObject({ kind: 'variable', request: { method: 'DELETE', id: 'anything' } });
  });
});
