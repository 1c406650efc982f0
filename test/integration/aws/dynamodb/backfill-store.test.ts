import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBackfillStore } from '../../../../src/aws/dynamodb/backfill-store.ts';
import { ConflictError, NotFoundError } from '../../../../src/core/errors.ts';
import type { NewBackfill } from '../../../../src/core/ports/backfill-store.ts';
import { at, createTestMetastore, type TestMetastore } from './fixtures.ts';

let fixture: TestMetastore;
let store: DynamoDbBackfillStore;
beforeAll(async () => {
  fixture = await createTestMetastore('backfill-store');
  store = new DynamoDbBackfillStore(fixture.client, fixture.tableName);
});

function newBackfill(dagId: string, overrides: Partial<NewBackfill> = {}): NewBackfill {
  return {
    dagId,
    fromDate: at('2024-01-01T00:00:00Z'),
    toDate: at('2024-01-05T00:00:00Z'),
    dagRunConf: { region: 'eu', nested: { n: [1, null] } },
    isPaused: false,
    reprocessBehavior: 'failed',
    maxActiveRuns: 2,
    runBackwards: true,
    createdAt: at('2024-01-10T12:00:00Z'),
    triggeringUserName: 'ada',
    ...overrides,
  };
}

describe('DynamoDbBackfillStore', () => {
  it('creates backfills with sequential ids and reads them back whole', async () => {
    const first = await store.createBackfill(newBackfill('ids_a'));
    const second = await store.createBackfill(newBackfill('ids_b', { dagRunConf: {}, triggeringUserName: null }));
    expect(second.id).toBe(first.id + 1);
    expect(await store.getBackfill(first.id)).toEqual({
      ...newBackfill('ids_a'),
      id: first.id,
      completedAt: null,
      updatedAt: at('2024-01-10T12:00:00Z'),
      runsCreated: false,
    });
    expect((await store.getBackfill(second.id))?.triggeringUserName).toBeNull();
    expect(await store.getBackfill(999_999)).toBeNull();
  });

  it('allows one backfill per DAG until it completes, then another', async () => {
    const first = await store.createBackfill(newBackfill('one_at_a_time'));
    const refused = await store.createBackfill(newBackfill('one_at_a_time')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).message).toContain('There is already a running backfill for dag one_at_a_time');
    expect((refused as ConflictError<{ id: number }>).current?.id).toBe(first.id);

    const completed = await store.completeBackfill(first.id, at('2024-01-11T00:00:00Z'), { pause: true });
    expect(completed).toMatchObject({ completedAt: at('2024-01-11T00:00:00Z'), isPaused: true });
    await expect(store.completeBackfill(first.id, at('2024-01-12T00:00:00Z'))).rejects.toThrow('Backfill is already completed.');
    const next = await store.createBackfill(newBackfill('one_at_a_time'));
    expect(next.id).toBeGreaterThan(first.id);
  });

  it('two concurrent creations for one DAG make exactly one backfill', async () => {
    const results = await Promise.allSettled([store.createBackfill(newBackfill('race')), store.createBackfill(newBackfill('race'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(ConflictError)]);
    expect(await store.listBackfills('race')).toHaveLength(1);
  });

  it('lists a DAG\'s backfills in id order, apart from DAGs whose id starts the same', async () => {
    const a = await store.createBackfill(newBackfill('list'));
    await store.completeBackfill(a.id, at('2024-01-11T00:00:00Z'));
    const b = await store.createBackfill(newBackfill('list'));
    await store.createBackfill(newBackfill('list_other'));
    expect((await store.listBackfills('list')).map((x) => x.id)).toEqual([a.id, b.id]);
    const all = (await store.listBackfills()).map((x) => x.id);
    expect(all).toEqual([...all].sort((x, y) => x - y));
    expect(all).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('lists only backfills that have not completed as active', async () => {
    const done = await store.createBackfill(newBackfill('active_done'));
    await store.completeBackfill(done.id, at('2024-01-11T00:00:00Z'));
    const open = await store.createBackfill(newBackfill('active_open'));
    const active = (await store.listActiveBackfills()).map((x) => x.id);
    expect(active).toContain(open.id);
    expect(active).not.toContain(done.id);
  });

  it('updates an open backfill, and refuses to update a completed or missing one', async () => {
    const backfill = await store.createBackfill(newBackfill('updates'));
    const paused = await store.updateBackfill(backfill.id, { isPaused: true, runsCreated: true }, at('2024-01-10T13:00:00Z'));
    expect(paused).toMatchObject({ isPaused: true, runsCreated: true, updatedAt: at('2024-01-10T13:00:00Z') });
    await store.completeBackfill(backfill.id, at('2024-01-11T00:00:00Z'));
    const conflict = await store.updateBackfill(backfill.id, { isPaused: false }, at('2024-01-11T01:00:00Z')).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError<{ isPaused: boolean }>).current?.isPaused).toBe(true);
    await expect(store.updateBackfill(424_242, { isPaused: true }, at('2024-01-11T01:00:00Z'))).rejects.toThrow(NotFoundError);
    await expect(store.completeBackfill(424_242, at('2024-01-11T01:00:00Z'))).rejects.toThrow(NotFoundError);
  });

  it('stores a backfill\'s rows by ordinal, replacing a row written again', async () => {
    const backfill = await store.createBackfill(newBackfill('rows'));
    const rows = Array.from({ length: 30 }, (_, i) => ({
      backfillId: backfill.id,
      dagId: 'rows',
      sortOrdinal: i + 1,
      logicalDate: new Date(Date.UTC(2024, 0, 30 - i)),
      runId: `backfill__${i}`,
      exceptionReason: null,
    }));
    await store.putBackfillDagRuns(rows);
    await store.putBackfillDagRuns([{ ...rows[9]!, runId: null, exceptionReason: 'in flight' }]);
    const read = await store.listBackfillDagRuns(backfill.id);
    expect(read.map((r) => r.sortOrdinal)).toEqual(rows.map((r) => r.sortOrdinal));
    expect(read[0]).toEqual(rows[0]);
    expect(read[9]).toEqual({ ...rows[9], runId: null, exceptionReason: 'in flight' });
    expect(await store.listBackfillDagRuns(backfill.id + 1000)).toEqual([]);
  });
});
