import { beforeAll, describe, expect, it } from 'vitest';
import type { AssetEventRecord } from '../../../../src/core/model/records.ts';
import { stableIntegerId } from '../../../../src/core/model/stable-ids.ts';
import { at, createTestMetastore, type TestMetastore } from './fixtures.ts';

const event = (uri: string, iso: string, n: number): AssetEventRecord => ({
  assetUri: uri,
  extra: { n },
  timestamp: at(iso),
  source: null,
  eventId: `ext/${n}`,
});

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('asset-event-store'));
  await store.recordAssetEvents([
    event('s3://b/x', '2026-01-01T00:00:00.000Z', 1),
    event('s3://b/y', '2026-01-02T00:00:00.000Z', 2),
    event('s3://b/x', '2026-01-03T00:00:00.000Z', 3),
  ]);
});

describe('DynamoDbMetastore asset registry and events', () => {
  it('answers the first claimed time of an external event to every later claim of the same id', async () => {
    expect(await store.claimExternalEventTime('s3/evt-1', at('2026-02-01T00:00:00.000Z'))).toEqual(at('2026-02-01T00:00:00.000Z'));
    expect(await store.claimExternalEventTime('s3/evt-1', at('2026-02-01T00:05:00.000Z'))).toEqual(at('2026-02-01T00:00:00.000Z'));
    expect(await store.claimExternalEventTime('s3/evt-2', at('2026-02-01T00:05:00.000Z'))).toEqual(at('2026-02-01T00:05:00.000Z'));
  });

  it('registers each asset once, with its first and last event', async () => {
    await store.recordAssetEvents([event('s3://b/x', '2026-01-03T00:00:00.000Z', 3)]);
    expect(await store.listAssets()).toEqual([
      {
        assetId: stableIntegerId('s3://b/x'),
        uri: 's3://b/x',
        name: 's3://b/x',
        group: 'asset',
        createdAt: at('2026-01-01T00:00:00.000Z'),
        lastEventId: 'ext/3',
        lastEventTimestamp: at('2026-01-03T00:00:00.000Z'),
      },
      expect.objectContaining({ uri: 's3://b/y', lastEventId: 'ext/2' }),
    ]);
    expect(await store.getAsset(stableIntegerId('s3://b/y'))).toMatchObject({ uri: 's3://b/y' });
    expect(await store.getAsset(1)).toBeNull();
  });

  it('lists events of every asset in time order, within inclusive bounds', async () => {
    expect((await store.listAllAssetEvents()).map((e) => e.extra.n)).toEqual([1, 2, 3]);
    const bounded = await store.listAllAssetEvents({ from: at('2026-01-02T00:00:00.000Z'), to: at('2026-01-03T00:00:00.000Z') });
    expect(bounded.map((e) => e.extra.n)).toEqual([2, 3]);
    expect(await store.listAllAssetEvents({ to: at('2025-12-31T00:00:00.000Z') })).toEqual([]);
    // The per-asset query is unchanged.
    expect((await store.listAssetEvents('s3://b/x')).map((e) => e.extra.n)).toEqual([1, 3]);
  });
});
