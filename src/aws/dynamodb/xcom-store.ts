import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { formatTaskInstanceKey, type DagRunKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { XComRecord } from '../../core/model/records.ts';
import type { XComStore } from '../../core/ports/metastore.ts';
import { rethrowTooLarge } from './errors.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, xcomKey, xcomPartition, xcomPrefix } from './keys.ts';
import { deleteAll, queryAll } from './requests.ts';

const XCOM_SPEC: RecordSpec<XComRecord> = {
  dagId: { kind: 'string' },
  runId: { kind: 'string' },
  taskId: { kind: 'string' },
  mapIndex: { kind: 'number' },
  key: { kind: 'string' },
  value: { kind: 'json' },
  objectKey: { kind: 'string', nullable: true },
  timestamp: { kind: 'date' },
};

const decodeXCom = (item: Item): XComRecord => decodeRecord(XCOM_SPEC, item);

/**
 * A run's XComs share a partition; the sort key starts with the task instance, so one prefix query
 * lists (or finds for deletion) a task instance's XComs. A push overwrites the same key, as in Airflow.
 */
export class DynamoDbXComStore implements XComStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putXCom(record: XComRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...xcomKey(record, record.key), [ATTR.type]: 'XCOM', ...encodeRecord(XCOM_SPEC, record) },
        }),
      );
    } catch (error) {
      rethrowTooLarge(error, `XCom "${record.key}" of ${formatTaskInstanceKey(record)}`);
    }
  }

  async getXCom(key: TaskInstanceKey, xcomKeyName: string): Promise<XComRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: xcomKey(key, xcomKeyName), ConsistentRead: true }),
    );
    return result.Item ? decodeXCom(result.Item as Item) : null;
  }

  async listXComs(key: TaskInstanceKey): Promise<XComRecord[]> {
    return (await this.queryItems(key)).map(decodeXCom);
  }

  async listTaskXComs(run: DagRunKey, taskId: string, key: string): Promise<XComRecord[]> {
    // Task ids cannot hold "#", so the prefix names exactly this task's instances.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: '#key = :key AND #mapIndex >= :first',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk, '#key': 'key', '#mapIndex': 'mapIndex' },
      ExpressionAttributeValues: { ':pk': xcomPartition(run), ':prefix': `${taskId}#`, ':key': key, ':first': 0 },
      ConsistentRead: true,
    });
    // The sort key orders map indexes as text ("10" before "2").
    return items.map(decodeXCom).sort((a, b) => a.mapIndex - b.mapIndex);
  }

  async deleteXComs(key: TaskInstanceKey): Promise<void> {
    const items = await this.queryItems(key, ['pk', 'sk']);
    await deleteAll(
      this.client,
      this.tableName,
      items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })),
    );
  }

  private queryItems(key: TaskInstanceKey, attributes?: string[]): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': xcomPartition(key), ':prefix': xcomPrefix(key) },
      ProjectionExpression: attributes ? '#pk, #sk' : undefined,
      ConsistentRead: true,
    });
  }
}
