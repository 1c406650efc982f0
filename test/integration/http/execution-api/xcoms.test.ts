import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptOf, createApiHarness, detailOf, startedOf, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('exec-xcoms');
});

afterAll(() => h?.close());

describe('XComs through the Execution API', () => {
  it('stores a small value inline and returns it', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    expect((await h.api.setXCom(extract, extract, 'counts', { a: [1, 2], b: null })).status).toBe(201);
    const response = await h.api.getXCom(extract, extract, 'counts');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ key: 'counts', value: { a: [1, 2], b: null } });
    expect((await h.metastore.getXCom(extract, 'counts'))?.objectKey).toBeNull();
  });

  it('keeps a JSON null as a value', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    await h.api.setXCom(extract, extract, 'nothing', null);
    expect(await (await h.api.getXCom(extract, extract, 'nothing')).json()).toEqual({ key: 'nothing', value: null });
  });

  it('stores a value over 64 KB in the object store and reads it back transparently', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    const big = { rows: Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `row-${i}-${'x'.repeat(20)}` })) };
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    expect((await h.api.setXCom(extract, extract, 'big', big)).status).toBe(201);

    const objectKey = `xcom/etl/${run.runId}/extract/-1/big.json`;
    expect(await h.metastore.getXCom(extract, 'big')).toMatchObject({ value: null, objectKey });
    expect(JSON.parse((await h.objectStore.getText(objectKey)) as string)).toEqual(big);
    expect(await (await h.api.getXCom(extract, extract, 'big')).json()).toEqual({ key: 'big', value: big });

    // A large return value reaches the downstream task with its start answer too.
    await h.api.finish(extract, { state: 'success', returnValue: big });
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    expect((await startedOf(await h.api.start(transform))).upstreamXComs).toEqual({ extract: big });
  });

  it('lets a task pull from another task of its run', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    await h.api.setXCom(extract, extract, 'path', 's3://data/part-0');
    const load = attemptOf(run, 'load', 1);
    const response = await h.api.getXCom(load, extract, 'path');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ key: 'path', value: 's3://data/part-0' });
  });

  it('refuses a pull from another run with 403', async () => {
    const first = await h.seedRun();
    const second = await h.seedRun();
    const extract = attemptOf(first, 'extract', 1);
    await h.api.start(extract);
    await h.api.setXCom(extract, extract, 'secret', 42);
    const response = await h.api.getXCom(attemptOf(second, 'extract', 1), extract, 'secret');
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatchObject({ reason: 'forbidden' });
  });

  it("refuses a push to another task instance's XComs with 403", async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    const response = await h.api.setXCom(extract, attemptOf(run, 'transform', 1), 'forged', 1);
    expect(response.status).toBe(403);
    expect(await h.metastore.getXCom(attemptOf(run, 'transform', 1), 'forged')).toBeNull();
  });

  it('refuses a push once the attempt is no longer running', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    await h.api.finish(extract, { state: 'success' });
    const response = await h.api.setXCom(extract, extract, 'late', 1);
    expect(response.status).toBe(409);
    expect(await detailOf(response)).toMatchObject({ reason: 'not_running', currentState: 'success' });
  });

  it('answers 404 xcom_not_found for a key nobody pushed, and handles keys that need escaping', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await h.api.start(extract);
    const missing = await h.api.getXCom(extract, extract, 'never');
    expect(missing.status).toBe(404);
    expect(await detailOf(missing)).toMatchObject({ reason: 'xcom_not_found' });
    await h.api.setXCom(extract, extract, 'a key/with spaces', 'ok');
    expect(await (await h.api.getXCom(extract, extract, 'a key/with spaces')).json()).toEqual({ key: 'a key/with spaces', value: 'ok' });
  });
});
