import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core/errors.ts';
import type { PoolRecord, PoolStore } from '../../core/ports/pool-store.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, poolKey } from './keys.ts';
import { queryAll } from './requests.ts';

const POOL_SPEC: RecordSpec<PoolRecord> = {
  name: { kind: 'string' },
  slots: { kind: 'number' },
  description: { kind: 'string', nullable: true },
  includeDeferred: { kind: 'boolean' },
};

/** Airflow's limit on a pool name. */
export const MAX_POOL_NAME_LENGTH = 256;

const decodePool = (item: Item): PoolRecord => decodeRecord(POOL_SPEC, item);

export function validatePool(pool: PoolRecord): void {
  if (typeof pool.name !== 'string' || pool.name.trim() === '' || pool.name.length > MAX_POOL_NAME_LENGTH) {
    throw new ValidationError(`A pool name must be 1 to ${MAX_POOL_NAME_LENGTH} characters and not blank.`, 'name');
  }
  if (!Number.isInteger(pool.slots) || pool.slots < -1) {
    throw new ValidationError(`Pool "${pool.name}" has ${pool.slots} slots; use a whole number, or -1 for unlimited.`, 'slots');
  }
}

/**
 * One item per pool, listed through the sparse lists index. Not part of the Metastore aggregate: the
 * scheduler and the REST API construct it on the same table. Writes are plain puts (last writer wins),
 * as Airflow's pool rows are.
 */
export class DynamoDbPoolStore implements PoolStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPool(name: string): Promise<PoolRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: poolKey(name), ConsistentRead: true }));
    return result.Item ? decodePool(result.Item as Item) : null;
  }

  async listPools(): Promise<PoolRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.pools },
    });
    return items.map(decodePool);
  }

  async putPool(pool: PoolRecord): Promise<void> {
    validatePool(pool);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...poolKey(pool.name),
          [ATTR.type]: 'POOL',
          [ATTR.listPk]: LIST.pools,
          [ATTR.listSk]: pool.name,
          ...encodeRecord(POOL_SPEC, pool),
        },
      }),
    );
  }

  async deletePool(name: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: poolKey(name), ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }
}
