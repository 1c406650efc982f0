import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { DynamoDbUserStore } from '../../../../src/aws/dynamodb/user-store.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { ObjectStore } from '../../../../src/core/ports/object-store.ts';
import type { PoolStore } from '../../../../src/core/ports/pool-store.ts';
import type { SimpleAuthRole } from '../../../../src/core/ports/user-store.ts';
import type { Endpoint } from '../../../../src/http/rest-api/endpoint.ts';
import { AUTH_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/auth.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import { hashPassword } from '../../../../src/services/auth/passwords.ts';
import { SimpleAuthManager } from '../../../../src/services/auth/simple-auth-manager.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { NOW, recordingLogger } from './rest-api-harness.ts';

/** Stand-ins for what a monitor-like endpoint guards: one DAG read (per DAG id) and one DAG change. */
const PROBES: Endpoint[] = [
  {
    operationId: 'probe_get_dag',
    method: 'get',
    path: '/api/v2/probe/{dag_id}',
    tag: 'Test',
    summary: 'Probe',
    description: 'Answers who called.',
    authorization: { kind: 'dag', method: 'GET', dagIdParam: 'dag_id' },
    success: { status: 200, description: 'ok' },
    errors: [],
    handle: ({ c, user }) => c.json({ caller: user?.name, role: user?.role }, 200),
  },
  {
    operationId: 'probe_post_dag',
    method: 'post',
    path: '/api/v2/probe',
    tag: 'Test',
    summary: 'Probe',
    description: 'Answers who called.',
    authorization: { kind: 'dag', method: 'POST' },
    success: { status: 200, description: 'ok' },
    errors: [],
    handle: ({ c, user }) => c.json({ caller: user?.name }, 200),
  },
];

const dynamo = createDynamoDbClient(emulatorClientOptions());
const tableName = uniqueName('rest-auth');
const users = new DynamoDbUserStore(dynamo, tableName);
const clock = new ManualClock(NOW);
const app = createRestApiApp({
  metastore: new DynamoDbMetastore({ client: dynamo, tableName }),
  // Neither is touched by the login endpoint or the probes.
  objectStore: {} as ObjectStore,
  pools: {} as PoolStore,
  authManager: new SimpleAuthManager({ users, clock, jwtSecret: 'rest-auth-test-secret-at-least-32-characters', jwtExpirationSeconds: 3600 }),
  clock,
  logger: recordingLogger(),
  version: '0.0.0-test',
  endpoints: [...AUTH_ENDPOINTS, ...PROBES],
});

async function addUser(username: string, role: SimpleAuthRole, dagIds: string[] | null = null): Promise<void> {
  await users.createUser({ username, role, passwordHash: await hashPassword(`${username}-password`), dagIds, dagTags: null, createdAt: clock.now() });
}

function login(body: unknown, headers: Record<string, string> = {}) {
  return app.request('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function tokenFor(username: string): Promise<string> {
  const response = await login({ username, password: `${username}-password` });
  expect(response.status).toBe(201);
  return ((await response.json()) as { access_token: string }).access_token;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  await createMetastoreTable(dynamo, tableName);
  await addUser('viewer1', 'viewer');
  await addUser('user1', 'user');
  await addUser('sales', 'user', ['sales_daily']);
});

afterAll(() => dynamo.destroy());

describe('POST /auth/token', () => {
  it('answers 201 with a token and sets the _token cookie for the UI', async () => {
    const response = await login({ username: 'user1', password: 'user1-password' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { access_token: string };
    expect(Object.keys(body)).toEqual(['access_token']);
    expect(body.access_token.split('.')).toHaveLength(3);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toContain(`_token=${body.access_token}`);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/HttpOnly/i);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks the cookie Secure when the client came over https', async () => {
    const forwarded = await login({ username: 'user1', password: 'user1-password' }, { 'X-Forwarded-Proto': 'https' });
    expect(forwarded.headers.get('set-cookie')).toMatch(/; Secure/);
    const direct = await app.request('https://api.example.com/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'user1', password: 'user1-password' }),
    });
    expect(direct.status).toBe(201);
    expect(direct.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers 401 for a wrong password or an unknown user, and sets no cookie', async () => {
    for (const credentials of [
      { username: 'user1', password: 'wrong-password' },
      { username: 'nobody', password: 'user1-password' },
    ]) {
      const response = await login(credentials);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/^Invalid credentials/);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('answers 400 for an empty username or password, and 422 naming a missing field', async () => {
    const empty = await login({ username: 'user1', password: '' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { detail: string }).detail).toMatch(/Username and password must be provided/);
    const missing = await login({ username: 'user1' });
    expect(missing.status).toBe(422);
    const detail = ((await missing.json()) as { detail: Array<{ loc: unknown[] }> }).detail;
    expect(detail.map((problem) => problem.loc)).toEqual([['body', 'password']]);
    expect((await login('{not json')).status).toBe(400);
  });
});

describe('a guarded endpoint with the simple auth manager', () => {
  it('answers 401 without a token', async () => {
    const response = await app.request('/api/v2/probe/any_dag');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await response.json()) as { detail: string }).detail).toMatch(/POST \/auth\/token/);
  });

  it('answers 401 for a malformed or forged token', async () => {
    const token = await tokenFor('viewer1');
    const [header, , signature] = token.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ sub: 'viewer1', role: 'admin', iat: 0, exp: 9e9, iss: 'updraft', aud: 'updraft' })).toString('base64url');
    for (const bad of ['garbage', `${header}.${forgedClaims}.${signature}`]) {
      const response = await app.request('/api/v2/probe/any_dag', { headers: bearer(bad) });
      expect(response.status).toBe(401);
    }
  });

  it('answers 200 with a token, from the header or the cookie', async () => {
    const token = await tokenFor('viewer1');
    const byHeader = await app.request('/api/v2/probe/any_dag', { headers: bearer(token) });
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual({ caller: 'viewer1', role: 'viewer' });
    const byCookie = await app.request('/api/v2/probe/any_dag', { headers: { Cookie: `_token=${token}` } });
    expect(byCookie.status).toBe(200);
  });

  it('answers 401 once the token has expired', async () => {
    const token = await tokenFor('viewer1');
    clock.advanceSeconds(3600);
    try {
      const response = await app.request('/api/v2/probe/any_dag', { headers: bearer(token) });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/expired.*POST \/auth\/token/);
    } finally {
      clock.set(NOW);
    }
  });

  it('answers 403 to a role without the permission, 200 to one with it', async () => {
    const viewer = await app.request('/api/v2/probe', { method: 'POST', headers: bearer(await tokenFor('viewer1')) });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { detail: string }).detail).toMatch(/user "viewer1" may not POST on DAGs/);
    const user = await app.request('/api/v2/probe', { method: 'POST', headers: bearer(await tokenFor('user1')) });
    expect(user.status).toBe(200);
  });

  it('answers 403 to a user limited to other DAGs', async () => {
    const token = await tokenFor('sales');
    expect((await app.request('/api/v2/probe/sales_daily', { headers: bearer(token) })).status).toBe(200);
    const other = await app.request('/api/v2/probe/finance_daily', { headers: bearer(token) });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/DAG "finance_daily"/);
  });

  it('answers 401 to the token of a user deleted since', async () => {
    await addUser('temp', 'admin');
    const token = await tokenFor('temp');
    expect((await app.request('/api/v2/probe/any_dag', { headers: bearer(token) })).status).toBe(200);
    await users.deleteUser('temp');
    const response = await app.request('/api/v2/probe/any_dag', { headers: bearer(token) });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/User "temp" no longer exists/);
  });
});
