import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../../src/core/errors.ts';
import { ALL_ENDPOINTS, serveRestApi, type ServedApi } from '../../../../src/http/rest-api/index.ts';
import { createRestApiHarness } from './rest-api-harness.ts';

let h: Awaited<ReturnType<typeof createRestApiHarness>>;

beforeAll(async () => {
  h = await createRestApiHarness('rest-app');
  // What issue #6's handlers will do: raise errors and let the app answer them.
  h.app.get('/api/v2/test/crash', () => {
    throw new Error('disk /secret/path exploded');
  });
  h.app.get('/api/v2/test/missing', () => {
    throw new NotFoundError('The DAG with dag_id `nope` was not found. List DAGs with GET /api/v2/dags.');
  });
  h.app.get('/api/v2/test/invalid', () => {
    throw new ValidationError('limit must be a positive integer; got -1.', 'limit');
  });
});

afterAll(() => h?.close());

describe('GET /api/v2/version', () => {
  it("answers the package version and a null git version, in Airflow's shape", async () => {
    const response = await h.app.request('/api/v2/version');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ version: '9.8.7', git_version: null });
  });
});

describe('the endpoint table', () => {
  it('serves every public GET endpoint with its success status, without a token', async () => {
    const publicGets = ALL_ENDPOINTS.filter((endpoint) => endpoint.authorization.kind === 'public' && endpoint.method === 'get');
    expect(publicGets.map((endpoint) => endpoint.operationId)).toEqual(expect.arrayContaining(['get_health', 'get_version']));
    for (const endpoint of publicGets) {
      const response = await h.app.request(endpoint.path);
      expect({ path: endpoint.path, status: response.status }).toEqual({ path: endpoint.path, status: endpoint.success.status });
    }
  });

  it('refuses every other endpoint without a token: 401, naming how to get one', async () => {
    const guarded = ALL_ENDPOINTS.filter((endpoint) => endpoint.authorization.kind !== 'public');
    for (const endpoint of guarded) {
      const path = endpoint.path.replace(/\{(\w+)\}/g, 'x');
      const response = await h.app.request(path, { method: endpoint.method.toUpperCase() });
      expect({ operation: endpoint.operationId, status: response.status }).toEqual({ operation: endpoint.operationId, status: 401 });
      expect(((await response.json()) as { detail: string }).detail).toContain('POST /auth/token');
    }
  });
});

describe('errors', () => {
  it('answers an unknown route 404 with a detail naming the method and path', async () => {
    const response = await h.app.request('/api/v2/dagz', { method: 'DELETE' });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { detail: string };
    expect(Object.keys(body)).toEqual(['detail']);
    expect(body.detail).toContain('DELETE /api/v2/dagz');
  });

  it('answers a known path with the wrong method 405 and says which methods it takes', async () => {
    const response = await h.app.request('/api/v2/version', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.json()).toEqual({ detail: 'POST is not allowed on /api/v2/version; use GET.' });
  });

  it('answers an unexpected failure 500 with a generic detail, and logs the error with its stack', async () => {
    const response = await h.app.request('/api/v2/test/crash');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ detail: expect.stringContaining('failed to handle the request') });
    expect(text).not.toMatch(/secret|exploded|at .*\.ts/);
    expect(h.logger.errors).toContainEqual({
      message: 'REST API request failed',
      attributes: expect.objectContaining({ error: 'disk /secret/path exploded', stack: expect.stringContaining('Error: disk') }),
    });
  });

  it('passes the message of a domain error through with its status', async () => {
    const missing = await h.app.request('/api/v2/test/missing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'The DAG with dag_id `nope` was not found. List DAGs with GET /api/v2/dags.' });
    const invalid = await h.app.request('/api/v2/test/invalid');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ detail: 'limit must be a positive integer; got -1.' });
  });
});

describe('serveRestApi', () => {
  let served: ServedApi;
  beforeAll(async () => {
    served = await serveRestApi(h.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => served?.close());

  it('serves the app over HTTP on a free port, and stops on close', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${served.url}/api/v2/monitor/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ metadatabase: { status: 'healthy' } });

    const other = await serveRestApi(h.app, { port: 0, host: '127.0.0.1' });
    await other.close();
    await expect(fetch(`${other.url}/api/v2/version`)).rejects.toThrow();
  });
});
