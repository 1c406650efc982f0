import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemFromConditionFailure } from './errors.ts';
import type { AssetEventRecord } from '../../core/model/records.ts';
import { stableIntegerId } from '../../core/model/stable-ids.ts';
import type { AssetEventStore, AssetRecord } from '../../core/ports/metastore.ts';
import { isConditionalCheckFailed, rethrowTooLarge } from './errors.ts';
import { decodeDate, decodeRecord, encodeDate, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, assetEventListKey, assetEventSortKey, assetEventsPartition, assetKey, externalEventClaimKey } from './keys.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';

const ASSET_EVENT_SPEC: RecordSpec<AssetEventRecord> = {
  assetUri: { kind: 'string' },
  extra: { kind: 'json' },
  timestamp: { kind: 'date' },
  source: { kind: 'json', nullable: true },
  eventId: { kind: 'string' },
};

const PUT_CONCURRENCY = 8;
/** EventBridge retries a delivery for at most a day; a week is a wide margin. */
const EXTERNAL_EVENT_CLAIM_SECONDS = 7 * 24 * 3600;

/** Airflow's defaults for an asset declared with a URI only. */
const DEFAULT_ASSET_GROUP = 'asset';

const decodeAssetEvent = (item: Item): AssetEventRecord => decodeRecord(ASSET_EVENT_SPEC, item);

function decodeAsset(item: Item): AssetRecord {
  return {
    assetId: Number(item.assetId),
    uri: String(item.uri),
    name: String(item.name),
    group: String(item.group),
    createdAt: decodeDate(item.createdAt),
    lastEventId: typeof item.lastEventId === 'string' ? item.lastEventId : null,
    lastEventTimestamp: typeof item.lastEventTimestamp === 'string' ? decodeDate(item.lastEventTimestamp) : null,
  };
}

/**
 * One item per event in its asset's partition. The sort key is built from the event's own timestamp and
 * id, so a repeated report (a retried finish call) overwrites the same item with the same content. Events
 * also carry lists-index keys so "all events in a time range" is one query. Each asset has a registry
 * item (written with its events) that the asset list and the integer asset ids come from.
 */
export class DynamoDbAssetEventStore implements AssetEventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordAssetEvents(events: readonly AssetEventRecord[]): Promise<void> {
    await mapWithConcurrency(events, PUT_CONCURRENCY, async (event) => {
      const timestamp = encodeDate(event.timestamp);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: assetEventsPartition(event.assetUri),
              sk: assetEventSortKey(timestamp, event.eventId),
              [ATTR.type]: 'ASSET_EVENT',
              [ATTR.listPk]: LIST.assetEvents,
              [ATTR.listSk]: assetEventListKey(timestamp, event.assetUri, event.eventId),
              ...encodeRecord(ASSET_EVENT_SPEC, event),
            },
          }),
        );
      } catch (error) {
        rethrowTooLarge(error, `The extra of the asset event for "${event.assetUri}"`);
      }
    });
    const byUri = new Map<string, { earliest: Date; latest: AssetEventRecord }>();
    for (const event of events) {
      const seen = byUri.get(event.assetUri);
      if (!seen) byUri.set(event.assetUri, { earliest: event.timestamp, latest: event });
      else {
        if (event.timestamp < seen.earliest) seen.earliest = event.timestamp;
        if (event.timestamp >= seen.latest.timestamp) seen.latest = event;
      }
    }
    await mapWithConcurrency([...byUri.values()], PUT_CONCURRENCY, ({ earliest, latest }) => this.registerAsset(latest, earliest));
  }

  /**
   * Creates the asset's registry item if needed (created at its earliest event) and moves its "last
   * event" forward. The condition keeps an older event that arrives late from moving it back; losing
   * that race means a newer event is there already.
   */
  private async registerAsset(event: AssetEventRecord, earliest: Date): Promise<void> {
    const assetId = stableIntegerId(event.assetUri);
    const timestamp = encodeDate(event.timestamp);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: assetKey(assetId),
          UpdateExpression:
            'SET #type = :type, #lpk = :lpk, #lsk = :uri, assetId = :id, uri = :uri, #name = if_not_exists(#name, :uri), ' +
            '#group = if_not_exists(#group, :group), createdAt = if_not_exists(createdAt, :created), lastEventId = :eid, lastEventTimestamp = :ts',
          ConditionExpression: 'attribute_not_exists(lastEventTimestamp) OR lastEventTimestamp <= :ts',
          ExpressionAttributeNames: { '#type': ATTR.type, '#lpk': ATTR.listPk, '#lsk': ATTR.listSk, '#name': 'name', '#group': 'group' },
          ExpressionAttributeValues: {
            ':type': 'ASSET',
            ':lpk': LIST.assets,
            ':uri': event.assetUri,
            ':id': assetId,
            ':group': DEFAULT_ASSET_GROUP,
            ':ts': timestamp,
            ':eid': event.eventId,
            ':created': encodeDate(earliest),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async claimExternalEventTime(externalEventId: string, proposed: Date): Promise<Date> {
    const key = externalEventClaimKey(externalEventId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            [ATTR.type]: 'EXTERNAL_EVENT_CLAIM',
            at: encodeDate(proposed),
            [ATTR.expiresAt]: Math.floor(proposed.getTime() / 1000) + EXTERNAL_EVENT_CLAIM_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return proposed;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored =
        itemFromConditionFailure(error) ??
        ((await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item as Item | undefined);
      if (!stored || typeof stored.at !== 'string') return proposed;
      return decodeDate(stored.at);
    }
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

  async listAssets(): Promise<AssetRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.assets },
    });
    return items.map(decodeAsset);
  }

  async getAsset(assetId: number): Promise<AssetRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: assetKey(assetId), ConsistentRead: true }));
    return result.Item ? decodeAsset(result.Item as Item) : null;
  }

  async listAllAssetEvents(options: { from?: Date; to?: Date } = {}): Promise<AssetEventRecord[]> {
    // Keys start with the ISO instant then `#`; `~` sorts after `#` and every digit, so both ends are
    // included. DynamoDB refuses an empty key value, hence '0' for "no lower bound".
    const from = options.from ? encodeDate(options.from) : '0';
    const to = options.to ? `${encodeDate(options.to)}~` : '~';
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': ATTR.listPk, '#sk': ATTR.listSk },
      ExpressionAttributeValues: { ':pk': LIST.assetEvents, ':from': from, ':to': to },
    });
    return items.map(decodeAssetEvent);
  }
}
