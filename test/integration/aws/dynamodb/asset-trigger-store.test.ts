import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbAssetTriggerStore } from '../../../../src/aws/dynamodb/asset-trigger-store.ts';
import { createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import { ConflictError } from '../../../../src/core/errors.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

let store: DynamoDbAssetTriggerStore;
const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-01T01:00:00Z');

beforeAll(async () => {
  const client = createDynamoDbClient(emulatorClientOptions());
  const tableName = uniqueName('asset-trigger');
  await createMetastoreTable(client, tableName);
  store = new DynamoDbAssetTriggerStore(client, tableName);
});

describe('DynamoDbAssetTriggerStore', () => {
  it('creates a state once: a second init answers the stored one', async () => {
    expect(await store.getAssetTriggerState('d1')).toBeNull();
    expect(await store.initAssetTriggerState('d1', t0)).toEqual({ dagId: 'd1', consumedThrough: t0, pendingRun: null, revision: 0 });
    expect(await store.initAssetTriggerState('d1', t1)).toEqual({ dagId: 'd1', consumedThrough: t0, pendingRun: null, revision: 0 });
  });

  it('moves the state only from the revision the writer read, and says what is stored when it lost', async () => {
    await store.initAssetTriggerState('d2', t0);
    const claimed = await store.updateAssetTriggerState('d2', { consumedThrough: t1, pendingRun: { from: t0, runAfter: t1 } }, 0);
    expect(claimed).toEqual({ dagId: 'd2', consumedThrough: t1, pendingRun: { from: t0, runAfter: t1 }, revision: 1 });
    expect(await store.getAssetTriggerState('d2')).toEqual(claimed);

    const lost = await store.updateAssetTriggerState('d2', { consumedThrough: t1, pendingRun: null }, 0).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ConflictError);
    expect((lost as ConflictError).current).toEqual(claimed);
  });
});
