import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.ts';
import type { AssetTriggerState, AssetTriggerStore } from '../../core/ports/asset-trigger-store.ts';
import { isConditionalCheckFailed, itemFromConditionFailure } from './errors.ts';
import { decodeDate, encodeDate, type Item } from './item-codec.ts';
import { ATTR, runsPartition } from './keys.ts';

/**
 * One item per DAG in the DAG's partition (`DAG#<id>`, sort key `ASSET_TRIGGER`). It has no run-order
 * key, so the runs' index never sees it.
 */
const key = (dagId: string) => ({ pk: runsPartition(dagId), sk: 'ASSET_TRIGGER' });

function decode(item: Item): AssetTriggerState {
  const pending = item.pendingRun as { from: string; runAfter: string } | null | undefined;
  return {
    dagId: String(item.dagId),
    consumedThrough: decodeDate(item.consumedThrough),
    pendingRun: pending ? { from: decodeDate(pending.from), runAfter: decodeDate(pending.runAfter) } : null,
    revision: Number(item.revision),
  };
}

export class DynamoDbAssetTriggerStore implements AssetTriggerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getAssetTriggerState(dagId: string): Promise<AssetTriggerState | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(dagId), ConsistentRead: true }));
    return result.Item ? decode(result.Item as Item) : null;
  }

  async initAssetTriggerState(dagId: string, consumedThrough: Date): Promise<AssetTriggerState> {
    const state: AssetTriggerState = { dagId, consumedThrough, pendingRun: null, revision: 0 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(dagId), [ATTR.type]: 'ASSET_TRIGGER', dagId, consumedThrough: encodeDate(consumedThrough), pendingRun: null, revision: 0 },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return state;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = itemFromConditionFailure(error);
      return current ? decode(current) : ((await this.getAssetTriggerState(dagId)) ?? state);
    }
  }

  async updateAssetTriggerState(
    dagId: string,
    changes: Pick<AssetTriggerState, 'consumedThrough' | 'pendingRun'>,
    expectedRevision: number,
  ): Promise<AssetTriggerState> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(dagId),
          UpdateExpression: 'SET consumedThrough = :through, pendingRun = :pending, revision = :next',
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: {
            ':through': encodeDate(changes.consumedThrough),
            ':pending': changes.pendingRun
              ? { from: encodeDate(changes.pendingRun.from), runAfter: encodeDate(changes.pendingRun.runAfter) }
              : null,
            ':next': expectedRevision + 1,
            ':expected': expectedRevision,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return decode(result.Attributes as Item);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = itemFromConditionFailure(error);
      throw new ConflictError<AssetTriggerState>(
        `The asset trigger state of DAG "${dagId}" moved on (expected revision ${expectedRevision}); another scheduler handled it.`,
        current ? decode(current) : null,
        { cause: error },
      );
    }
  }
}
