import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssetEventRecord } from '../../core/model/records.ts';
import type { AssetEventStore } from '../../core/ports/metastore.ts';
import { rethrowTooLarge } from './errors.ts';
import { decodeRecord, encodeDate, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, assetEventSortKey, assetEventsPartition } from './keys.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';

const ASSET_EVENT_SPEC: RecordSpec<AssetEventRecord> = {
  assetUri: { kind: 'string' },
  extra: { kind: 'json' },
  timestamp: { kind: 'date' },
  source: { kind: 'json', nullable: true },
  eventId: { kind: 'string' },
};

const PUT_CONCURRENCY = 8;

const decodeAssetEvent = (item: Item): AssetEventRecord => decodeRecord(ASSET_EVENT_SPEC, item);

/**
 * One item per event in its asset's partition. The sort key is built from the event's own timestamp and
 * id, so a repeated report (a retried finish call) overwrites the same item with the same content.
 */
export class DynamoDbAssetEventStore implements AssetEventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordAssetEvents(events: readonly AssetEventRecord[]): Promise<void> {
    await mapWithConcurrency(events, PUT_CONCURRENCY, async (event) => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: assetEventsPartition(event.assetUri),
              sk: assetEventSortKey(encodeDate(event.timestamp), event.eventId),
              [ATTR.type]: 'ASSET_EVENT',
              ...encodeRecord(ASSET_EVENT_SPEC, event),
            },
          }),
        );
      } catch (error) {
        rethrowTooLarge(error, `The extra of the asset event for "${event.assetUri}"`);
      }
    });
  }

  async listAssetEvents(assetUri: string, options: { after?: Date; limit?: number } = {}): Promise<AssetEventRecord[]> {
    const lowerBound = options.after ? `EVENT#${encodeDate(options.after)}\uffff` : 'EVENT#';
    const items = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: options.after ? 'pk = :pk AND sk > :from' : 'pk = :pk AND begins_with(sk, :from)',
        ExpressionAttributeValues: { ':pk': assetEventsPartition(assetUri), ':from': lowerBound },
        ConsistentRead: true,
        ...(options.limit ? { Limit: options.limit } : {}),
      },
      options.limit ? (collected) => collected.length >= (options.limit as number) : undefined,
    );
    return items.slice(0, options.limit ?? items.length).map(decodeAssetEvent);
  }
}
