import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptOf, createApiHarness, detailOf, startedOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('exec-finish-states');
});

afterAll(() => h?.close());

/** transform has retries: 2 (three tries) and a 60 s retry delay; extract has none. */
async function runningTransform(tryNumber = 1) {
  const run = await h.seedRun();
  const transform = attemptOf(run, 'transform', tryNumber);
  await h.queue(transform);
  expect((await h.api.start(transform)).status).toBe(200);
  return { run, transform };
}

describe('finishing as up_for_retry', () => {
  it('parks the attempt for its retry delay while tries are left', async () => {
    const { transform } = await runningTransform();
    const response = await h.api.finish(transform, { state: 'up_for_retry', error: 'upstream API returned 503' });
    expect(response.status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({
      state: 'up_for_retry',
      endDate: h.clock.now(),
      nextRetryAt: new Date(h.clock.now().getTime() + 60_000),
    });
  });

  it('fails the task instance when the last try asks for a retry', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    expect((await h.api.finish(extract, { state: 'up_for_retry' })).status).toBe(204);
    expect(await h.ti(extract)).toMatchObject({ state: 'failed', nextRetryAt: null });
  });
});

describe('finishing as up_for_reschedule', () => {
  it('releases the worker until the reschedule date, runs the fast path for nothing, and restarts the same try', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract, 'worker-1');
    const fastPathsBefore = h.finishedRuns.length;
    const rescheduleDate = new Date(h.clock.now().getTime() + 300_000);
    const response = await h.api.finish(extract, { state: 'up_for_reschedule', rescheduleDate: rescheduleDate.toISOString() });
    expect(response.status).toBe(204);
    expect(await h.ti(extract)).toMatchObject({ state: 'up_for_reschedule', rescheduleDate, endDate: h.clock.now(), tryNumber: 1 });
    expect(h.finishedRuns).toHaveLength(fastPathsBefore);

    // The scheduler queues the same try again once the date has passed; another worker may take it.
    h.clock.advanceSeconds(301);
    await h.queue(extract);
    const restarted = await h.api.start(extract, 'worker-2');
    expect(restarted.status).toBe(200);
    expect((await startedOf(restarted)).taskInstance).toMatchObject({ tryNumber: 1, nextMethod: null });
    expect(await h.ti(extract)).toMatchObject({ state: 'running', workerId: 'worker-2', rescheduleDate: null });
  });

  it('refuses up_for_reschedule without a date, naming the field', async () => {
    const { transform } = await runningTransform();
    const response = await h.api.finish(transform, { state: 'up_for_reschedule' });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatchObject({ reason: 'validation', field: 'rescheduleDate' });
    expect(await h.ti(transform)).toMatchObject({ state: 'running' });
  });
});

describe('finishing as deferred', () => {
  const deferral = {
    trigger: { kind: 'datetime', kwargs: { moment: '2026-03-01T11:00:00Z' } },
    nextMethod: 'executeComplete',
    nextKwargs: { polled: 1 },
    triggerTimeout: '2026-03-01T12:00:00Z',
  };

  it('stores the trigger and the continuation; the resumed try gets them and keeps the XComs it pushed', async () => {
    // Try 2, so that a start that cleared earlier attempts' XComs would show.
    const { transform } = await runningTransform(2);
    expect((await h.api.setXCom(transform, transform, 'progress', { pages: 4 })).status).toBe(201);
    const response = await h.api.finish(transform, { state: 'deferred', deferral });
    expect(response.status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({
      state: 'deferred',
      endDate: null,
      trigger: deferral.trigger,
      triggerTimeout: new Date(deferral.triggerTimeout),
      nextMethod: 'executeComplete',
      nextKwargs: { polled: 1 },
    });

    // What the triggerer does when the trigger fires: the same try is scheduled with the event added.
    await h.metastore.updateTaskInstance(
      transform,
      { state: 'scheduled', trigger: null, triggerTimeout: null, nextKwargs: { polled: 1, event: { moment: 'now' } } },
      { state: 'deferred', tryNumber: 2 },
    );
    await h.queue(transform);
    const resumed = await startedOf(await h.api.start(transform, 'worker-2'));
    expect(resumed.taskInstance).toMatchObject({
      tryNumber: 2,
      nextMethod: 'executeComplete',
      nextKwargs: { polled: 1, event: { moment: 'now' } },
    });
    expect(await (await h.api.getXCom(transform, transform, 'progress')).json()).toEqual({ key: 'progress', value: { pages: 4 } });

    // Once the resumed attempt ends, its continuation is spent.
    const finished = await h.api.finish(transform, { state: 'success', workerId: 'worker-2' });
    expect(finished.status).toBe(204);
    expect(await h.ti(transform)).toMatchObject({ state: 'success', nextMethod: null, nextKwargs: null });
  });

  it('refuses deferred without a deferral, and a deferral with another state', async () => {
    const { transform } = await runningTransform();
    const missing = await h.api.finish(transform, { state: 'deferred' });
    expect(missing.status).toBe(400);
    expect(await detailOf(missing)).toMatchObject({ field: 'deferral' });
    const misplaced = await h.api.finish(transform, { state: 'success', deferral });
    expect(misplaced.status).toBe(400);
    expect(await detailOf(misplaced)).toMatchObject({ field: 'deferral' });
    const noMethod = await h.api.finish(transform, { state: 'deferred', deferral: { trigger: { kind: 'datetime' } } });
    expect(noMethod.status).toBe(400);
    expect(await detailOf(noMethod)).toMatchObject({ field: 'deferral.nextMethod' });
    expect(await h.ti(transform)).toMatchObject({ state: 'running' });
  });
});

describe('asset events in the finish call', () => {
  it('records the events of a successful attempt once, even when the finish is repeated', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    const uri = `s3://lake/orders/${run.runId}/`;
    const body = {
      state: 'success',
      returnValue: 3,
      assetEvents: [{ uri, extra: { rows: 3 } }, { uri: `${uri}summary/` }],
    };
    expect((await h.api.finish(extract, body)).status).toBe(204);
    expect((await h.api.finish(extract, body)).status).toBe(204);

    const events = await h.metastore.listAssetEvents(uri);
    expect(events).toEqual([
      {
        assetUri: uri,
        extra: { rows: 3 },
        timestamp: h.clock.now(),
        source: { ...extract },
        eventId: `etl/${run.runId}/extract/-1/1/0`,
      },
    ]);
    expect(await h.metastore.listAssetEvents(`${uri}summary/`)).toMatchObject([{ extra: {} }]);
    expect(await h.metastore.listAssetEvents(uri, { after: h.clock.now() })).toEqual([]);
  });

  it('refuses asset events from an attempt that did not succeed, and writes none', async () => {
    const { transform } = await runningTransform();
    const uri = `s3://lake/refused/${transform.runId}/`;
    const response = await h.api.finish(transform, { state: 'failed', assetEvents: [{ uri }] });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatchObject({ field: 'assetEvents' });
    expect(await h.metastore.listAssetEvents(uri)).toEqual([]);
  });

  it('refuses asset events from a worker that no longer holds the attempt, and writes none', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract, 'worker-2');
    const uri = `s3://lake/stolen/${run.runId}/`;
    const response = await h.api.finish(extract, { state: 'success', assetEvents: [{ uri }] });
    expect(response.status).toBe(409);
    expect(await h.metastore.listAssetEvents(uri)).toEqual([]);
  });
});
