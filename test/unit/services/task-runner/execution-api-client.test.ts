import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import {
  EXECUTION_API_VERSION,
  ExecutionApiClient,
  ExecutionApiError,
  ExecutionApiUnreachableError,
  ExecutionConflictError,
} from '../../../../src/http/execution-api-client.ts';

const ti = { dagId: 'etl', runId: 'manual__2024-01-01T00:00:00+00:00', taskId: 'extract', mapIndex: -1 };
const id = encodeTaskInstanceId(ti);

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}
const seen: Seen[] = [];
let answer: (req: Seen, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      seen.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const client = () => new ExecutionApiClient({ baseUrl, token: 'tok', retryDelayMs: 1 });

describe('ExecutionApiClient', () => {
  it('sends the token, the API version and the contract paths and bodies', async () => {
    seen.length = 0;
    answer = (req, res) => {
      if (req.url.endsWith('/run')) return json(res, 200, { heartbeatIntervalSeconds: 5 });
      if (req.method === 'GET') return json(res, 200, { key: 'k', value: [1] });
      if (req.method === 'POST') return res.writeHead(201).end();
      res.writeHead(204).end();
    };
    const api = client();
    const started = await api.start(ti, { workerId: 'w', pid: 1, startDate: '2024-01-01T00:00:00.000Z' });
    expect(started.heartbeatIntervalSeconds).toBe(5);
    await api.heartbeat(ti, { workerId: 'w' });
    await api.finish(ti, { state: 'success', workerId: 'w', endDate: '2024-01-01T00:01:00.000Z', returnValue: 3 });
    expect(await api.getXCom(ti, 'k')).toEqual({ key: 'k', value: [1] });
    await api.setXCom(ti, 'a key', { v: 1 });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PATCH /execution/task-instances/${id}/run`,
      `PUT /execution/task-instances/${id}/heartbeat`,
      `PATCH /execution/task-instances/${id}/state`,
      `GET /execution/xcoms/${id}/k`,
      `POST /execution/xcoms/${id}/a%20key`,
    ]);
    expect(seen.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true);
    expect(seen.every((r) => r.headers['updraft-api-version'] === EXECUTION_API_VERSION)).toBe(true);
    expect(seen[0]?.body).toEqual({ workerId: 'w', pid: 1, startDate: '2024-01-01T00:00:00.000Z' });
    expect(seen[2]?.body).toEqual({ state: 'success', workerId: 'w', endDate: '2024-01-01T00:01:00.000Z', returnValue: 3 });
    expect(seen[4]?.body).toEqual({ value: { v: 1 } });
  });

  it('turns 409 into ExecutionConflictError with reason and current state', async () => {
    answer = (_req, res) =>
      json(res, 409, { detail: { reason: 'running_elsewhere', message: 'Another worker runs it.', currentState: 'running' } });
    const error = await client().start(ti, { workerId: 'w', pid: 1, startDate: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionConflictError);
    expect(error).toMatchObject({ status: 409, reason: 'running_elsewhere', currentState: 'running' });
    expect((error as Error).message).toContain('Another worker runs it.');
  });

  it('turns other error statuses into ExecutionApiError with status and detail, without retrying 4xx', async () => {
    seen.length = 0;
    answer = (_req, res) => json(res, 401, { detail: { reason: 'invalid_token', message: 'The task token has expired.' } });
    const error = await client().heartbeat(ti, { workerId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionApiError);
    expect(error).toMatchObject({ status: 401, reason: 'invalid_token' });
    expect((error as Error).message).toMatch(/401: The task token has expired/);
    expect(seen).toHaveLength(1);
  });

  it('answers null for a missing XCom', async () => {
    answer = (_req, res) => json(res, 404, { detail: { reason: 'xcom_not_found', message: 'No such XCom.' } });
    expect(await client().getXCom(ti, 'nope')).toBeNull();
  });

  it('retries 503 answers and then succeeds', async () => {
    seen.length = 0;
    answer = (_req, res) => (seen.length < 3 ? json(res, 503, { detail: { reason: 'busy', message: 'busy' } }) : res.writeHead(204).end());
    await client().heartbeat(ti, { workerId: 'w' });
    expect(seen).toHaveLength(3);
  });

  it('retries network errors a few times, then says the API is unreachable', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls++;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    };
    const api = new ExecutionApiClient({ baseUrl: 'http://127.0.0.1:1', token: 't', fetch: failing, retryDelayMs: 1, maxAttempts: 3 });
    const error = await api.finish(ti, { state: 'failed', workerId: 'w', endDate: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionApiUnreachableError);
    expect((error as Error).message).toMatch(/did not answer PATCH .* after 3 attempts .*ECONNREFUSED/);
    expect(calls).toBe(3);
  });
});
