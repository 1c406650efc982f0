import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { serveExecutionApi, type ServedApi } from '../../../../src/http/execution-api/index.ts';
import { attemptOf, createApiHarness, startedOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;
let served: ServedApi;

beforeAll(async () => {
  h = await createApiHarness('exec-serve');
  served = await serveExecutionApi(h.app, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await served?.close();
  h?.close();
});

describe('serveExecutionApi', () => {
  it('serves the app over HTTP on a free port', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${served.url}/execution/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('carries a whole start over the network', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await fetch(`${served.url}/execution/task-instances/${encodeTaskInstanceId(extract)}/run`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${h.token(extract)}`,
        'Content-Type': 'application/json',
        'Updraft-Api-Version': '2026-11-22',
      },
      body: JSON.stringify({ workerId: 'net-worker', pid: 7, startDate: h.clock.now().toISOString() }),
    });
    expect(response.status).toBe(200);
    expect((await startedOf(response)).taskInstance).toEqual({ taskId: 'extract', mapIndex: -1, tryNumber: 1, maxTries: 1, nextMethod: null, nextKwargs: null });
  });

  it('stops listening on close', async () => {
    const other = await serveExecutionApi(h.app, { port: 0, host: '127.0.0.1' });
    await fetch(`${other.url}/execution/health`);
    await other.close();
    await expect(fetch(`${other.url}/execution/health`)).rejects.toThrow();
  });
});
