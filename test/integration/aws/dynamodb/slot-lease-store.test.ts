import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { counterKey, leaseKey } from '../../../../src/aws/dynamodb/slot-lease-items.ts';
import { DynamoDbSlotLeaseStore } from '../../../../src/aws/dynamodb/slot-lease-store.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import type { SlotLimit } from '../../../../src/core/scheduling/concurrency-limits.ts';
import { SlotLeaseReconciler } from '../../../../src/services/scheduler/slot-lease-reconciler.ts';
import { createTestMetastore, type TestMetastore } from './fixtures.ts';

let fixture: TestMetastore;
let store: DynamoDbSlotLeaseStore;
beforeAll(async () => {
  fixture = await createTestMetastore('slot-leases');
  store = new DynamoDbSlotLeaseStore(fixture.client, fixture.tableName);
});

const now = new Date('2026-11-23T10:00:00Z');
// A run id with the characters Airflow's run ids have (dots, colons, plus), which must not break names.
const attempt = (taskId: string, tryNumber = 1, mapIndex = -1): TaskAttemptKey => ({
  dagId: 'etl',
  runId: 'manual__2026-11-23T10:00:00.250000+00:00',
  taskId,
  mapIndex,
  tryNumber,
});
const limit = (id: string, capacity: number, slots = 1, kind: SlotLimit['kind'] = 'pool'): SlotLimit => ({
  id,
  kind,
  capacity,
  slots,
  heldWhileDeferred: false,
  description: id,
});

async function usage(limitId: string) {
  const found = (await store.listUsage()).find((u) => u.limitId === limitId);
  return found ? { taken: found.taken, holders: found.leases.map((l) => `${l.holder.taskId}:${l.holder.tryNumber}`).sort() } : null;
}

describe('DynamoDbSlotLeaseStore', () => {
  it('grants up to the capacity, counting pool slots, and refuses past it', async () => {
    const pool = limit('pool#warehouse', 3);
    expect(await store.acquire(attempt('a'), [{ ...pool, slots: 2 }], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('b'), [{ ...pool, slots: 2 }], now)).toEqual({ granted: false, full: [{ ...pool, slots: 2 }] });
    expect(await store.acquire(attempt('c'), [pool], now)).toEqual({ granted: true });
    expect(await usage('pool#warehouse')).toEqual({ taken: 3, holders: ['a:1', 'c:1'] });

    await store.release(attempt('a'), [{ id: pool.id, slots: 2 }]);
    expect(await store.acquire(attempt('b'), [{ ...pool, slots: 2 }], now)).toEqual({ granted: true });
    expect(await usage('pool#warehouse')).toEqual({ taken: 3, holders: ['b:1', 'c:1'] });
  });

  it('is idempotent: a repeated acquire counts once, a repeated release gives back once', async () => {
    const pool = limit('pool#repeat', 2);
    expect(await store.acquire(attempt('a'), [pool], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('a'), [pool], now)).toEqual({ granted: true });
    expect(await usage('pool#repeat')).toEqual({ taken: 1, holders: ['a:1'] });
    // A later try of the same instance is another holder.
    expect(await store.acquire(attempt('a', 2), [pool], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('b'), [pool], now)).toMatchObject({ granted: false });

    await store.release(attempt('a'), [pool]);
    await store.release(attempt('a'), [pool]);
    await store.release(attempt('never'), [pool]);
    expect(await usage('pool#repeat')).toEqual({ taken: 1, holders: ['a:2'] });
  });

  it('takes every limit or none, and names the full one', async () => {
    const pool = limit('pool#multi', 5);
    const run = limit('run#etl#r1', 1, 1, 'run');
    const task = limit('task#etl#load', 2, 1, 'task');
    expect(await store.acquire(attempt('a'), [pool, run, task], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('b'), [pool, run, task], now)).toEqual({ granted: false, full: [run] });
    expect(await usage('pool#multi')).toEqual({ taken: 1, holders: ['a:1'] });
    expect(await usage('task#etl#load')).toEqual({ taken: 1, holders: ['a:1'] });

    // Repeating a granted multi-limit acquire, also after one of its leases was given back, tops it up.
    await store.release(attempt('a'), [run]);
    expect(await store.acquire(attempt('a'), [pool, run, task], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('a'), [pool, run, task], now)).toEqual({ granted: true });
    for (const id of [pool.id, run.id, task.id]) expect(await usage(id)).toEqual({ taken: 1, holders: ['a:1'] });
  });

  it('refuses an attempt that needs more slots than the limit has, without writing', async () => {
    const pool = limit('pool#tiny', 1, 2);
    expect(await store.acquire(attempt('a'), [pool], now)).toEqual({ granted: false, full: [pool] });
    expect(await usage('pool#tiny')).toBeNull();
  });

  it('grants exactly the capacity to many concurrent acquirers in several processes', async () => {
    const other = new DynamoDbSlotLeaseStore(fixture.client, fixture.tableName);
    const pool = limit('pool#race', 3);
    const run = limit('run#etl#race', 10, 1, 'run');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 ? store : other).acquire(attempt(`t${index}`), [pool, run], now)),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(3);
    expect((await usage('pool#race'))?.taken).toBe(3);
    expect((await usage('run#etl#race'))?.taken).toBe(3);
  });

  it('grants a fan-out of concurrent acquires of the same limits together, and still exactly up to the capacity', async () => {
    const pool = limit('pool#batch', 61);
    const run = limit('run#etl#batch', 100, 1, 'run');
    // The first acquire creates the counters; the ones that follow at once queue behind it and go as batches.
    expect(await store.acquire(attempt('first'), [pool, run], now)).toEqual({ granted: true });
    const wave = (prefix: string, count: number) =>
      Promise.all(Array.from({ length: count }, (_, index) => store.acquire(attempt(`${prefix}_${index}`), [pool, run], now)));
    // Room for all: every batch goes through whole.
    expect((await wave('fan', 40)).every((result) => result.granted)).toBe(true);
    // Room for 20 of 30: a batch that does not fit falls back to one by one, which stops at the capacity.
    expect((await wave('more', 30)).filter((result) => result.granted)).toHaveLength(20);
    expect((await usage('pool#batch'))?.taken).toBe(61);
    expect((await usage('run#etl#batch'))?.taken).toBe(61);
    // The same holder twice in one batch counts once.
    const wide = limit('pool#batch-twice', 10);
    expect(await store.acquire(attempt('seed'), [wide], now)).toEqual({ granted: true });
    const twice = await Promise.all([store.acquire(attempt('dup'), [wide], now), store.acquire(attempt('dup'), [wide], now), store.acquire(attempt('other'), [wide], now)]);
    expect(twice).toEqual([{ granted: true }, { granted: true }, { granted: true }]);
    expect(await usage('pool#batch-twice')).toEqual({ taken: 3, holders: ['dup:1', 'other:1', 'seed:1'] });
  });

  it('lists leases with their holders and deletes only an unused limit item', async () => {
    const run = limit('run#etl#done', 4, 1, 'run');
    await store.acquire(attempt('x', 3, 2), [{ ...run, heldWhileDeferred: true }], now);
    const listed = (await store.listUsage()).find((u) => u.limitId === run.id);
    expect(listed).toEqual({
      limitId: run.id,
      kind: 'run',
      capacity: 4,
      taken: 1,
      leases: [{ limitId: run.id, holder: attempt('x', 3, 2), slots: 1, acquiredAt: now, heldWhileDeferred: true }],
    });
    await store.forgetIfUnused(run.id);
    expect(await usage(run.id)).not.toBeNull();
    await store.release(attempt('x', 3, 2), [run]);
    await store.forgetIfUnused(run.id);
    expect(await usage(run.id)).toBeNull();
  });

  it('keeps the counter item small however many leases a limit has, one item per lease', async () => {
    const pool = limit('pool#wide', 400);
    const holders = Array.from({ length: 300 }, (_, index) => attempt(`mapped`, 1, index));
    const results = await Promise.all(holders.map((holder) => store.acquire(holder, [pool], now)));
    expect(results.every((result) => result.granted)).toBe(true);

    const counter = await fixture.client.send(new GetCommand({ TableName: fixture.tableName, Key: counterKey(pool.id), ConsistentRead: true }));
    expect(counter.Item?.taken).toBe(300);
    expect(Buffer.byteLength(JSON.stringify(counter.Item))).toBeLessThan(1024);
    const listed = (await store.listUsage()).find((u) => u.limitId === pool.id);
    expect(listed?.taken).toBe(300);
    expect(listed?.leases).toHaveLength(300);

    await store.release(holders[7]!, [pool]);
    expect((await store.listUsage()).find((u) => u.limitId === pool.id)?.leases).toHaveLength(299);
  });

  it('grants a repeated acquire on a full limit to the attempt that holds it', async () => {
    const pool = limit('pool#full-repeat', 1);
    const run = limit('run#etl#full-repeat', 5, 1, 'run');
    expect(await store.acquire(attempt('a'), [pool, run], now)).toEqual({ granted: true });
    expect(await store.acquire(attempt('b'), [pool, run], now)).toEqual({ granted: false, full: [pool] });
    expect(await store.acquire(attempt('a'), [pool, run], now)).toEqual({ granted: true });
    expect(await usage(pool.id)).toEqual({ taken: 1, holders: ['a:1'] });
    expect(await usage(run.id)).toEqual({ taken: 1, holders: ['a:1'] });
  });

  it('starts a forgotten limit afresh on its next acquire', async () => {
    const run = limit('run#etl#cleared', 2, 1, 'run');
    await store.acquire(attempt('a'), [run], now);
    await store.release(attempt('a'), [run]);
    await store.forgetIfUnused(run.id);
    expect(await usage(run.id)).toBeNull();
    // A cleared run is active again: its counter comes back and the reconcile can see it.
    expect(await store.acquire(attempt('a', 2), [run], now)).toEqual({ granted: true });
    expect(await usage(run.id)).toEqual({ taken: 1, holders: ['a:2'] });
  });

  it('corrects, at the reconcile, a count that a crashed writer left apart from the leases', async () => {
    const pool = limit('pool#crash', 2);
    await store.acquire(attempt('a'), [pool], now);
    await store.acquire(attempt('b'), [pool], now);
    // A writer outside the transactions died after removing b's lease and before giving back its slot.
    await fixture.client.send(new DeleteCommand({ TableName: fixture.tableName, Key: leaseKey(pool.id, attempt('b')) }));
    expect(await store.acquire(attempt('c'), [pool], now)).toEqual({ granted: false, full: [pool] });

    const reconciler = new SlotLeaseReconciler({ slotLeases: store, clock: new ManualClock(now), logger: silentLogger });
    // Leases of runs the reconcile cannot see are left alone here: only the count is wrong.
    const report = await reconciler.reconcile({ activeRuns: [{ dagId: 'etl', runId: attempt('a').runId }], scheduled: new Map() });
    expect(report.repaired).toBe(1);
    expect(await usage(pool.id)).toEqual({ taken: 1, holders: ['a:1'] });
    expect(await store.acquire(attempt('c'), [pool], now)).toEqual({ granted: true });

    // The other way round: a count too low (slots given back twice) would over-grant until repaired.
    await fixture.client.send(
      new UpdateCommand({ TableName: fixture.tableName, Key: counterKey(pool.id), UpdateExpression: 'SET taken = :zero', ExpressionAttributeValues: { ':zero': 0 } }),
    );
    expect(await store.repairCount(pool.id)).toBe(true);
    expect(await store.repairCount(pool.id)).toBe(false);
    expect(await store.acquire(attempt('d'), [pool], now)).toEqual({ granted: false, full: [pool] });
  });
});
