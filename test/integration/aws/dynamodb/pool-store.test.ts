import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import { ValidationError } from '../../../../src/core/errors.ts';
import { createTestMetastore, type TestMetastore } from './fixtures.ts';

let fixture: TestMetastore;
let pools: DynamoDbPoolStore;
beforeAll(async () => {
  fixture = await createTestMetastore('pool-store');
  pools = new DynamoDbPoolStore(fixture.client, fixture.tableName);
});

describe('DynamoDbPoolStore', () => {
  it('stores, replaces, reads, lists and deletes pools, apart from other items', async () => {
    expect(await pools.getPool('etl')).toBeNull();
    await pools.putPool({ name: 'etl', slots: 4, description: 'nightly', includeDeferred: false });
    await pools.putPool({ name: 'etl', slots: 8, description: null, includeDeferred: true });
    await pools.putPool({ name: 'api/limited', slots: -1, description: null, includeDeferred: false });
    await fixture.metastore.putVariable({ key: 'not_a_pool', value: 'v', description: null });

    expect(await pools.getPool('etl')).toEqual({ name: 'etl', slots: 8, description: null, includeDeferred: true });
    expect((await pools.listPools()).map((p) => p.name)).toEqual(['api/limited', 'etl']);
    expect(await pools.deletePool('etl')).toBe(true);
    expect(await pools.deletePool('etl')).toBe(false);
    expect(await pools.getPool('etl')).toBeNull();
  });

  it('refuses a blank name and slots below -1', async () => {
    await expect(pools.putPool({ name: ' ', slots: 1, description: null, includeDeferred: false })).rejects.toThrow(ValidationError);
    await expect(pools.putPool({ name: 'p', slots: -2, description: null, includeDeferred: false })).rejects.toThrow(/-1 for unlimited/);
  });
});
