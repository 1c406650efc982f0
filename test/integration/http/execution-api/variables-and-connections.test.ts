import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attemptOf, createApiHarness, detailOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;
let token: string;

beforeAll(async () => {
  h = await createApiHarness('secrets-api');
  const run = await h.seedRun();
  token = h.token(attemptOf(run, 'extract', 1));
});
afterAll(() => h.close());
afterEach(() => {
  delete process.env.UPDRAFT_VAR_REGION;
  delete process.env.UPDRAFT_CONN_WAREHOUSE;
});

describe('variables through the Execution API', () => {
  it('stores a variable in the metastore and reads it back', async () => {
    const put = await h.request('PUT', '/execution/variables/batch_size', { token, body: { value: '500', description: 'rows per batch' } });
    expect(put.status).toBe(204);
    expect(await h.metastore.getVariable('batch_size')).toEqual({ key: 'batch_size', value: '500', description: 'rows per batch' });

    const got = await h.request('GET', '/execution/variables/batch_size', { token });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ key: 'batch_size', value: '500' });
  });

  it('reads an environment variable before the metastore, as Airflow searches', async () => {
    await h.metastore.putVariable({ key: 'region', value: 'from-metastore', description: null });
    process.env.UPDRAFT_VAR_REGION = 'from-env';
    const got = await h.request('GET', '/execution/variables/region', { token });
    expect(await got.json()).toEqual({ key: 'region', value: 'from-env' });
  });

  it('answers 404 variable_not_found naming where it looked', async () => {
    const got = await h.request('GET', '/execution/variables/never_set', { token });
    expect(got.status).toBe(404);
    const detail = await detailOf(got);
    expect(detail.reason).toBe('variable_not_found');
    expect(detail.message).toMatch(/never_set/);
    expect(detail.message).toMatch(/UPDRAFT_VAR_NEVER_SET/);
  });

  it('refuses a variable that is not a string, naming the field', async () => {
    const put = await h.request('PUT', '/execution/variables/bad', { token, body: { value: 5 } });
    expect(put.status).toBe(400);
    expect((await detailOf(put)).field).toBe('value');
  });

  it('refuses a request without a token', async () => {
    const got = await h.request('GET', '/execution/variables/batch_size');
    expect(got.status).toBe(401);
  });
});

describe('connections through the Execution API', () => {
  it('parses a connection URI from the environment', async () => {
    process.env.UPDRAFT_CONN_WAREHOUSE = 'postgresql://loader:s%40cret@db.example.com:5432/analytics?sslmode=require';
    const got = await h.request('GET', '/execution/connections/warehouse', { token });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      connId: 'warehouse',
      connType: 'postgres',
      host: 'db.example.com',
      login: 'loader',
      password: 's@cret',
      schema: 'analytics',
      port: 5432,
      extra: { sslmode: 'require' },
    });
  });

  it('reads a connection stored in the metastore', async () => {
    await h.metastore.putConnection({
      connId: 'api',
      connType: 'http',
      host: 'api.example.com',
      login: null,
      password: 'token-value',
      schema: 'https',
      port: null,
      extra: { timeout: 30 },
    });
    const got = await h.request('GET', '/execution/connections/api', { token });
    expect(await got.json()).toMatchObject({ connId: 'api', connType: 'http', password: 'token-value', extra: { timeout: 30 } });
  });

  it('answers 404 connection_not_found naming the id and the places searched', async () => {
    const got = await h.request('GET', '/execution/connections/nowhere', { token });
    expect(got.status).toBe(404);
    const detail = await detailOf(got);
    expect(detail.reason).toBe('connection_not_found');
    expect(detail.message).toMatch(/nowhere/);
    expect(detail.message).toMatch(/UPDRAFT_CONN_NOWHERE/);
  });
});
