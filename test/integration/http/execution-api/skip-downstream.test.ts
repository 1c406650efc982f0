import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId, type TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { attemptOf, createApiHarness, detailOf, type ApiHarness } from './api-harness.ts';

/** PATCH /execution/task-instances/{id}/skip-downstream on the emulators (DAG etl: extract → transform → load). */

let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('exec-skip-downstream');
});
afterAll(() => h?.close());

function skip(as: TaskAttemptKey, tasks: unknown, target: TaskAttemptKey = as) {
  return h.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(target)}/skip-downstream`, {
    token: h.token(as),
    body: { tasks },
  });
}

async function states(run: { dagId: string; runId: string }) {
  const tis = await h.metastore.listTaskInstances(run);
  return Object.fromEntries(tis.map((ti) => [ti.taskId, ti.state]));
}

describe('skip-downstream', () => {
  it('marks exactly the named downstream task instances skipped, and a repeat answers the same', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    expect((await h.api.start(extract)).status).toBe(200);

    const response = await skip(extract, ['transform']);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ skipped: [{ taskId: 'transform', mapIndex: -1 }], unchanged: [] });
    expect(await states(run)).toEqual({ extract: 'running', transform: 'skipped', load: 'none' });
    const skipped = await h.ti(attemptOf(run, 'transform', 0));
    expect(skipped?.endDate).toEqual(h.clock.now());

    const again = await skip(extract, [['transform', -1]]);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ skipped: [{ taskId: 'transform', mapIndex: -1 }], unchanged: [] });
    expect(await states(run)).toEqual({ extract: 'running', transform: 'skipped', load: 'none' });
  });

  it('leaves an instance that already started as it is, and says so', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    await h.queue(attemptOf(run, 'load', 1));

    const response = await skip(extract, ['transform', 'load']);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      skipped: [{ taskId: 'transform', mapIndex: -1 }],
      unchanged: [{ taskId: 'load', mapIndex: -1, state: 'queued' }],
    });
    expect(await states(run)).toEqual({ extract: 'running', transform: 'skipped', load: 'queued' });
  });

  it('refuses, with 403 naming it, a task that is not downstream of the caller, and changes nothing', async () => {
    const run = await h.seedRun();
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await h.api.start(transform);

    const response = await skip(transform, ['load', 'extract']);
    expect(response.status).toBe(403);
    const detail = await detailOf(response);
    expect(detail.reason).toBe('forbidden');
    expect(detail.message).toContain('Task "transform" may only skip tasks downstream of it in its DAG version; "extract" is not.');
    expect((await states(run)).load).toBe('none');
  });

  it('answers 409 not_running when the caller’s attempt is not running, and 403 for another task’s instance', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    const notStarted = await skip(extract, ['transform']);
    expect(notStarted.status).toBe(409);
    expect((await detailOf(notStarted)).reason).toBe('not_running');

    const other = await skip(extract, ['load'], attemptOf(run, 'transform', 1));
    expect(other.status).toBe(403);
    expect((await states(run)).transform).toBe('none');
  });

  it('refuses a body without a task list with 400 naming the field', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    const response = await skip(extract, 'transform');
    expect(response.status).toBe(400);
    expect((await detailOf(response)).field).toBe('tasks');
  });
});
