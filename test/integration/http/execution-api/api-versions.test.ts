import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId, type TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { OLDEST_API_VERSION, serveExecutionApi, type ServedApi } from '../../../../src/http/execution-api/index.ts';
import { startedAttemptSchema, xcomResponseSchema } from '../../../../src/http/execution-api/response-schemas.ts';
import { ExecutionApiClient } from '../../../../src/http/execution-api-client.ts';
import { attemptOf, createApiHarness, detailOf, type ApiHarness } from './api-harness.ts';

/**
 * A runner pinned to the oldest supported version talks to the head server over HTTP, as a runner
 * deployed before an upgrade would. Its requests and answers are the 2026-06-01 contract.
 */

let h: ApiHarness;
let served: ServedApi;

beforeAll(async () => {
  h = await createApiHarness('exec-versions');
  served = await serveExecutionApi(h.app, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await served?.close();
  h?.close();
});

const oldClient = (attempt: TaskAttemptKey) =>
  new ExecutionApiClient({ baseUrl: served.url, token: h.token(attempt), apiVersion: OLDEST_API_VERSION, maxAttempts: 1 });

/** The 2026-06-01 finish request: `retry`, not `retryable`. */
async function oldFinish(attempt: TaskAttemptKey, body: { state: 'success' | 'failed'; retry?: boolean; error?: string }) {
  return fetch(`${served.url}/execution/task-instances/${encodeTaskInstanceId(attempt)}/state`, {
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${h.token(attempt)}`,
      'Content-Type': 'application/json',
      'Updraft-Api-Version': OLDEST_API_VERSION,
    },
    body: JSON.stringify({ workerId: 'worker-1', endDate: h.clock.now().toISOString(), ...body }),
  });
}

describe('a 2026-06-01 runner against the head server', () => {
  it('runs a task: its start answer has no dagRun.runAfter, and its XComs and heartbeats work', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    const client = oldClient(extract);

    const started = (await client.start(extract, { workerId: 'worker-1', pid: 7, startDate: h.clock.now().toISOString() })) as unknown as {
      dagRun: Record<string, unknown>;
    };
    expect(started.dagRun).toEqual({
      dagId: 'etl',
      runId: run.runId,
      logicalDate: run.logicalDate.toISOString(),
      dataIntervalStart: run.dataInterval.start.toISOString(),
      dataIntervalEnd: run.dataInterval.end.toISOString(),
      runType: 'manual',
      conf: { limit: 5, unrelated: true },
    });
    await client.heartbeat(extract, { workerId: 'worker-1' });
    await client.setXCom(extract, 'rows', 3);
    expect(await client.getXCom(extract, 'rows')).toEqual({ key: 'rows', value: 3 });

    const finished = await oldFinish(extract, { state: 'success' });
    expect(finished.status).toBe(204);
    expect(finished.headers.get('Updraft-Api-Version')).toBe(OLDEST_API_VERSION);
    expect((await h.ti(extract))?.state).toBe('success');
  });

  it('fails a task without retrying when it sends retry: false, and retries it when it sends retry: true', async () => {
    const run = await h.seedRun();
    await h.api.start(attemptOf(run, 'extract', 1));
    await h.api.finish(attemptOf(run, 'extract', 1), { state: 'success' });
    // transform has 2 retries.
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await oldClient(transform).start(transform, { workerId: 'worker-1', pid: 7, startDate: h.clock.now().toISOString() });
    expect((await oldFinish(transform, { state: 'failed', retry: true, error: 'flaky' })).status).toBe(204);
    expect((await h.ti(transform))?.state).toBe('up_for_retry');

    const secondTry = attemptOf(run, 'transform', 2);
    await h.queue(secondTry);
    await oldClient(secondTry).start(secondTry, { workerId: 'worker-1', pid: 7, startDate: h.clock.now().toISOString() });
    expect((await oldFinish(secondTry, { state: 'failed', retry: false, error: 'bad input' })).status).toBe(204);
    expect((await h.ti(secondTry))?.state).toBe('failed');
  });

  it('answers in the version asked for, and in head when no version is named', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await fetch(`${served.url}/execution/health`, { headers: { 'Updraft-Api-Version': OLDEST_API_VERSION } });
    expect(response.headers.get('Updraft-Api-Version')).toBe('2026-06-01');
    const head = await h.app.request(`/execution/task-instances/${encodeTaskInstanceId(extract)}/run`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${h.token(extract)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ workerId: 'worker-1', pid: 1, startDate: h.clock.now().toISOString() }),
    });
    expect(head.headers.get('Updraft-Api-Version')).toBe('2026-11-23');
    expect(((await head.json()) as { dagRun: { runAfter?: string } }).dagRun.runAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  });

  it('refuses a version between or outside the kept ones with 400, listing the supported versions', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    for (const version of ['2026-08-01', '2030-01-01']) {
      const response = await h.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(extract)}/run`, {
        token: h.token(extract),
        body: { workerId: 'worker-1', pid: 1, startDate: h.clock.now().toISOString() },
        headers: { 'Updraft-Api-Version': version },
      });
      expect(response.status).toBe(400);
      expect(await detailOf(response)).toMatchObject({
        reason: 'validation',
        field: 'Updraft-Api-Version',
        supportedVersions: ['2026-11-23', '2026-11-22', '2026-06-01'],
        message: expect.stringContaining(`"${version}" is not supported`),
      });
    }
    expect((await h.ti(extract))?.state).toBe('queued');
  });
});

describe('the documented head answers', () => {
  it('match the schemas the OpenAPI document is generated from', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    const started = await h.api.start(extract);
    expect(startedAttemptSchema.safeParse(await started.json()).error).toBeUndefined();
    await h.api.setXCom(extract, extract, 'k', { nested: [1, null] });
    const xcom = await h.api.getXCom(extract, extract, 'k');
    expect(xcomResponseSchema.safeParse(await xcom.json()).error).toBeUndefined();
  });
});
