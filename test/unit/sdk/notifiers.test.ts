import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DagDefinitionError, httpNotifier, type TaskCallbackInfo, type TaskConnection, type TaskContext } from 'updraft/sdk';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let baseUrl: string;
let received: Received[];
let answer = { status: 200, body: 'ok' };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      response.writeHead(answer.status).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
  answer = { status: 200, body: 'ok' };
});

function contextWith(connections: Record<string, Partial<TaskConnection>> = {}): TaskContext {
  return {
    dagId: 'etl',
    taskId: 'load',
    runId: 'scheduled__2025-01-01T00:00:00+00:00',
    mapIndex: -1,
    tryNumber: 2,
    signal: new AbortController().signal,
    connections: {
      get: async (id: string) => {
        const found = connections[id];
        if (!found) throw new Error(`no connection ${id}`);
        return { connId: id, connType: 'http', host: null, login: null, password: null, schema: null, port: null, extra: {}, ...found };
      },
    },
  } as unknown as TaskContext;
}
const failed: TaskCallbackInfo = { event: 'failure', state: 'failed', error: 'ValueError: bad row', maxTries: 3 };

describe('httpNotifier', () => {
  it('POSTs a Slack-style {"text"} body naming DAG, run, task, try, state and error', async () => {
    await httpNotifier({ url: `${baseUrl}/hook` }).notify(contextWith(), failed);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', path: '/hook' });
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual({
      text: 'Task load of DAG etl, run scheduled__2025-01-01T00:00:00+00:00, try 2 of 3: failed. Error: ValueError: bad row',
    });
  });

  it('reads the URL from the connection’s extra.webhook_url, with a custom message and headers', async () => {
    const ctx = contextWith({ slack: { extra: { webhook_url: `${baseUrl}/services/T1/B2` } } });
    const notifier = httpNotifier({ connId: 'slack', message: (c, info) => `:white_check_mark: ${c.taskId} ${info.state}`, headers: { authorization: 'Bearer t' } });
    await notifier.notify(ctx, { event: 'success', state: 'success', error: null, maxTries: 1 });
    expect(received[0]!.path).toBe('/services/T1/B2');
    expect(received[0]!.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(received[0]!.body)).toEqual({ text: ':white_check_mark: load success' });
  });

  it('fails with the status when the webhook refuses, without revealing the URL’s path', async () => {
    answer = { status: 404, body: 'no_service' };
    await expect(httpNotifier({ url: `${baseUrl}/services/secret-token` }).notify(contextWith(), failed)).rejects.toThrow(
      `httpNotifier: the webhook at ${new URL(baseUrl).host} answered 404 Not Found: no_service.`,
    );
  });

  it('fails clearly when the connection has no webhook_url', async () => {
    await expect(httpNotifier({ connId: 'slack' }).notify(contextWith({ slack: { host: 'hooks.slack.com' } }), failed)).rejects.toThrow(
      /connection "slack" has no http\(s\) URL in extra.webhook_url/,
    );
    expect(received).toEqual([]);
  });

  it('rejects bad options when the DAG file is evaluated', () => {
    expect(() => httpNotifier({})).toThrow(DagDefinitionError);
    expect(() => httpNotifier({ url: `${baseUrl}/x`, connId: 'slack' })).toThrow(/exactly one of url and connId/);
    expect(() => httpNotifier({ url: 'hooks.slack.com/x' })).toThrow(/url must be an http\(s\) URL/);
  });
});
