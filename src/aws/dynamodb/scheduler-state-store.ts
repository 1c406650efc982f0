import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SchedulerStateStore } from '../../core/ports/metastore.ts';
import { decodeDate, encodeDate } from './item-codec.ts';
import { ATTR, INDEX, LIST, schedulerHeartbeatKey } from './keys.ts';

/** Heartbeats of schedulers that stopped are of no use after a while; TTL removes them. */
const HEARTBEAT_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * One item per scheduler; the lists GSI orders them by heartbeat time, so the latest is one query.
 * Each scheduler writes only its own item, so plain puts are enough.
 */
export class DynamoDbSchedulerStateStore implements SchedulerStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordSchedulerHeartbeat(schedulerId: string, at: Date): Promise<void> {
    const iso = encodeDate(at);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...schedulerHeartbeatKey(schedulerId),
          [ATTR.type]: 'SCHEDULER_HEARTBEAT',
          [ATTR.listPk]: LIST.schedulerHeartbeats,
          [ATTR.listSk]: `${iso}#${schedulerId}`,
          [ATTR.expiresAt]: Math.floor(at.getTime() / 1000) + HEARTBEAT_RETENTION_SECONDS,
          schedulerId,
          at: iso,
        },
      }),
    );
  }

  async getLatestSchedulerHeartbeat(): Promise<{ schedulerId: string; at: Date } | null> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.lists,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTR.listPk },
        ExpressionAttributeValues: { ':pk': LIST.schedulerHeartbeats },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = result.Items?.[0];
    return item ? { schedulerId: String(item.schedulerId), at: decodeDate(item.at) } : null;
  }
}
