import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../../src/core/errors.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { at, createTestMetastore, dagRun, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
let raw: TestMetastore;
beforeAll(async () => {
  raw = await createTestMetastore('run-store');
  store = raw.metastore;
});

async function conflictOf(promise: Promise<unknown>): Promise<ConflictError<DagRunRecord>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError<DagRunRecord>;
}

describe('DynamoDbMetastore DAG runs', () => {
  it('creates a run once; a second create returns false and changes nothing', async () => {
    const run = dagRun('create_once', '2024-05-01T00:00:00.000Z', {
      conf: { nested: { list: [1, 'two', null, { deep: true }] }, empty: {}, nothing: null },
      startDate: at('2024-05-02T00:00:01.250Z'),
    });
    expect(await store.createDagRun(run)).toBe(true);
    await store.updateDagRun(run, { state: 'running' }, { state: 'queued' });
    expect(await store.createDagRun(run)).toBe(false);
    const stored = await store.getDagRun(run);
    expect(stored).toEqual({ ...run, state: 'running', revision: 1 });
    expect(await store.getDagRun({ dagId: 'create_once', runId: 'nope' })).toBeNull();

    // What an operator sees in the console: ISO instants with milliseconds, conf as JSON text, no nulls.
    const { Item } = await raw.client.send(
      new GetCommand({ TableName: raw.tableName, Key: { pk: 'DAG#create_once', sk: `RUN#${run.runId}` } }),
    );
    expect(Item).toMatchObject({ logicalDate: '2024-05-01T00:00:00.000Z', startDate: '2024-05-02T00:00:01.250Z', state: 'running' });
    expect(JSON.parse(Item?.conf as string)).toEqual(run.conf);
    expect(Item).not.toHaveProperty('endDate');
  });

  it('round-trips a large conf', async () => {
    const conf = { rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `row-${i}`, tags: ['a', 'b'], score: i / 7 })) };
    const run = dagRun('large_conf', '2024-05-01T00:00:00.000Z', { conf, runType: 'manual', runId: 'manual__big' });
    expect(JSON.stringify(conf).length).toBeGreaterThan(100_000);
    await store.createDagRun(run);
    expect((await store.getDagRun(run))?.conf).toEqual(conf);
  });

  it('lists runs newest first by logical date, with state filter and limit', async () => {
    const dagId = 'listing';
    const days = ['2024-01-03', '2024-01-01', '2024-01-05', '2024-01-02', '2024-01-04'];
    for (const day of days) await store.createDagRun(dagRun(dagId, `${day}T00:00:00.000Z`));
    await store.createDagRun(dagRun('listing_other', '2024-01-09T00:00:00.000Z'));
    const finish = async (day: string, state: 'success' | 'failed') => {
      const run = dagRun(dagId, `${day}T00:00:00.000Z`);
      await store.updateDagRun(run, { state, endDate: at(`${day}T12:00:00.000Z`) });
    };
    await finish('2024-01-01', 'success');
    await finish('2024-01-03', 'failed');
    await finish('2024-01-04', 'success');

    const all = await store.listDagRuns(dagId);
    expect(all.map((r) => r.logicalDate.toISOString().slice(0, 10))).toEqual([
      '2024-01-05',
      '2024-01-04',
      '2024-01-03',
      '2024-01-02',
      '2024-01-01',
    ]);
    expect((await store.listDagRuns(dagId, { limit: 2 })).map((r) => r.logicalDate.getUTCDate())).toEqual([5, 4]);
    expect((await store.listDagRuns(dagId, { states: ['success'] })).map((r) => r.logicalDate.getUTCDate())).toEqual([4, 1]);
    expect((await store.listDagRuns(dagId, { states: ['success', 'queued'], limit: 2 })).map((r) => r.logicalDate.getUTCDate())).toEqual([5, 4]);
    expect(await store.listDagRuns(dagId, { states: ['running'] })).toEqual([]);
    expect(await store.listDagRuns('no_such_dag')).toEqual([]);
  });

  it('lists active runs across DAGs and drops runs once they finish', async () => {
    const a = dagRun('active_a', '2024-02-01T00:00:00.000Z');
    const b = dagRun('active_b', '2024-02-01T00:00:00.000Z', { state: 'running' });
    const done = dagRun('active_b', '2024-02-02T00:00:00.000Z', { state: 'success' });
    for (const run of [a, b, done]) await store.createDagRun(run);
    const activeIds = async () =>
      (await store.listActiveDagRuns()).filter((r) => r.dagId.startsWith('active_')).map((r) => `${r.dagId}/${r.runId}`).sort();
    expect(await activeIds()).toEqual([`active_a/${a.runId}`, `active_b/${b.runId}`]);

    await store.updateDagRun(b, { state: 'failed', endDate: at('2024-02-02T01:00:00.000Z') }, { state: 'running' });
    expect(await activeIds()).toEqual([`active_a/${a.runId}`]);
    await store.updateDagRun(a, { state: 'running' }, { state: 'queued' });
    expect(await activeIds()).toEqual([`active_a/${a.runId}`]);
    await store.updateDagRun(a, { state: 'success' }, { state: 'running' });
    expect(await activeIds()).toEqual([]);
  });

  it('updates conditionally, bumps the revision and can clear dates', async () => {
    const run = dagRun('updating', '2024-03-01T00:00:00.000Z');
    await store.createDagRun(run);
    const started = await store.updateDagRun(run, { state: 'running', startDate: at('2024-03-02T00:00:00.500Z') }, { state: ['queued'] });
    expect(started).toEqual({ ...run, state: 'running', startDate: at('2024-03-02T00:00:00.500Z'), revision: 1 });
    const cleared = await store.updateDagRun(run, { startDate: null, conf: { again: true } });
    expect(cleared).toMatchObject({ startDate: null, conf: { again: true }, revision: 2 });
    expect(await store.getDagRun(run)).toEqual(cleared);
  });

  it('a wrong state is a conflict with the run as stored now', async () => {
    const run = dagRun('conflicting', '2024-03-01T00:00:00.000Z', { state: 'running' });
    await store.createDagRun(run);
    const conflict = await conflictOf(store.updateDagRun(run, { state: 'running' }, { state: 'queued' }));
    expect(conflict.current).toEqual(run);
    expect(conflict.message).toContain('expected state queued');
    expect(conflict.message).toContain('it is running');
    expect(await store.getDagRun(run)).toEqual(run);
  });

  it('updating a missing run is a conflict with current null, and creates nothing', async () => {
    const key = { dagId: 'conflicting', runId: 'manual__missing' };
    const conflict = await conflictOf(store.updateDagRun(key, { state: 'success' }));
    expect(conflict.current).toBeNull();
    expect(await store.getDagRun(key)).toBeNull();
  });

  it('of two concurrent conditional updates exactly one wins', async () => {
    const run = dagRun('racing', '2024-03-01T00:00:00.000Z', { state: 'running' });
    await store.createDagRun(run);
    const results = await Promise.allSettled([
      store.updateDagRun(run, { state: 'success' }, { state: 'running' }),
      store.updateDagRun(run, { state: 'failed' }, { state: 'running' }),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<DagRunRecord> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]?.reason as ConflictError<DagRunRecord>).current?.state).toBe(won[0]?.value.state);
    expect((await store.getDagRun(run))?.revision).toBe(1);
  });
});
