import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId, type TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { attemptOf, createApiHarness, detailOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('exec-auth');
});

afterAll(() => h?.close());

const runPath = (attempt: TaskAttemptKey) => `/execution/task-instances/${encodeTaskInstanceId(attempt)}/run`;
const startBody = (workerId = 'worker-1') => ({ workerId, pid: 1, startDate: '2026-03-01T10:00:00Z' });

describe('authentication and authorization', () => {
  it('serves health without a token', async () => {
    const response = await h.request('GET', '/execution/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a request without a token with 401', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await h.request('PATCH', runPath(extract), { body: startBody() });
    expect(response.status).toBe(401);
    expect(await detailOf(response)).toMatchObject({ reason: 'invalid_token', message: expect.stringContaining('Authorization: Bearer') });
  });

  it('refuses a token signed with another key with 401', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const forged = new TaskTokens('another-secret-that-is-long-enough-0123456789', h.clock).issue(extract, 60);
    const response = await h.request('PATCH', runPath(extract), { token: forged, body: startBody() });
    expect(response.status).toBe(401);
    expect(await detailOf(response)).toMatchObject({ reason: 'invalid_token', message: expect.stringContaining('signature') });
    expect((await h.ti(extract))?.state).toBe('queued');
  });

  it('refuses a malformed token with 401', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await h.request('PATCH', runPath(extract), { token: 'not-a-jwt', body: startBody() });
    expect(response.status).toBe(401);
  });

  it('refuses an expired token with 401', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const token = h.token(extract, 60);
    h.clock.advanceSeconds(61);
    const response = await h.request('PATCH', runPath(extract), { token, body: startBody() });
    expect(response.status).toBe(401);
    expect(await detailOf(response)).toMatchObject({ reason: 'invalid_token', message: expect.stringContaining('expired') });
  });

  it("refuses another task's token with 403", async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    const response = await h.request('PATCH', runPath(extract), { token: h.token(attemptOf(run, 'load', 1)), body: startBody() });
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatchObject({ reason: 'forbidden' });
    expect((await h.ti(extract))?.state).toBe('queued');
  });

  it("refuses another try's token with 403", async () => {
    const run = await h.seedRun();
    await h.queue(attemptOf(run, 'extract', 2));
    const oldAttempt = attemptOf(run, 'extract', 1);
    const response = await h.request('PATCH', runPath(oldAttempt), { token: h.token(oldAttempt), body: startBody() });
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('attempt 2') });

    const current = attemptOf(run, 'extract', 2);
    await h.api.start(current);
    const finish = await h.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(current)}/state`, {
      token: h.token(oldAttempt),
      body: { state: 'success', workerId: 'worker-1', endDate: h.clock.now().toISOString() },
    });
    expect(finish.status).toBe(403);
    expect((await h.ti(current))?.state).toBe('running');
  });

  it('answers 404 for an id that is not a task instance id', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await h.request('PATCH', '/execution/task-instances/not-an-id/run', { token: h.token(extract), body: startBody() });
    expect(response.status).toBe(404);
  });

  it('refuses an unknown API version with 400 and accepts a missing header', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const old = await h.request('PATCH', runPath(extract), {
      token: h.token(extract),
      body: startBody(),
      headers: { 'Updraft-Api-Version': '2020-01-01' },
    });
    expect(old.status).toBe(400);
    expect(await detailOf(old)).toMatchObject({ reason: 'validation', field: 'Updraft-Api-Version' });
    const response = await h.app.request(runPath(extract), {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${h.token(extract)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(startBody()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Updraft-Api-Version')).toBe('2026-11-23');
  });
});

describe('malformed bodies', () => {
  it.each([
    ['a missing workerId', { pid: 1, startDate: '2026-03-01T10:00:00Z' }, 'workerId'],
    ['a pid that is not a number', { workerId: 'w', pid: 'one', startDate: '2026-03-01T10:00:00Z' }, 'pid'],
    ['a startDate that is not ISO', { workerId: 'w', pid: 1, startDate: 'yesterday' }, 'startDate'],
  ])('refuses a start with %s (400, naming the field)', async (_, body, field) => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await h.request('PATCH', runPath(extract), { token: h.token(extract), body });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatchObject({ reason: 'validation', field });
    expect((await h.ti(extract))?.state).toBe('queued');
  });

  it('refuses a body that is not JSON', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const response = await h.request('PATCH', runPath(extract), { token: h.token(extract), rawBody: '{"workerId":' });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatchObject({ reason: 'validation', field: 'body' });
  });

  it('refuses a finish with an unknown state or a mistyped retryable', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    const bogus = await h.api.finish(extract, { state: 'done' });
    expect(await detailOf(bogus)).toMatchObject({ reason: 'validation', field: 'state' });
    const mistyped = await h.api.finish(extract, { state: 'failed', retryable: 'no' });
    expect(mistyped.status).toBe(400);
    expect(await detailOf(mistyped)).toMatchObject({ field: 'retryable' });
    expect((await h.ti(extract))?.state).toBe('running');
  });

  it('refuses a heartbeat without a workerId and an XCom push without a value', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    const heartbeat = await h.request('PUT', `/execution/task-instances/${encodeTaskInstanceId(extract)}/heartbeat`, {
      token: h.token(extract),
      body: {},
    });
    expect(await detailOf(heartbeat)).toMatchObject({ reason: 'validation', field: 'workerId' });
    const push = await h.request('POST', `/execution/xcoms/${encodeTaskInstanceId(extract)}/k`, {
      token: h.token(extract),
      body: { val: 1 },
    });
    expect(push.status).toBe(400);
    expect(await detailOf(push)).toMatchObject({ reason: 'validation', field: 'value' });
  });
});
