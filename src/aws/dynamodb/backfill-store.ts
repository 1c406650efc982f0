import {
  BatchWriteCommand,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type {
  BackfillChanges,
  BackfillDagRunRecord,
  BackfillRecord,
  BackfillStore,
  NewBackfill,
} from '../../core/ports/backfill-store.ts';
import { isConditionalCheckFailed, itemFromConditionFailure } from './errors.ts';
import { ExpressionBuilder } from './expressions.ts';
import { decodeRecord, encodeDate, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, type TableKey } from './keys.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';

/**
 * Backfill items (docs/data-model.md, "Backfill"). The keys live here rather than in keys.ts because only
 * this store reads or writes them.
 */
const BACKFILLS_LIST = 'BACKFILLS';
const ACTIVE_BACKFILLS_LIST = 'ACTIVE_BACKFILLS';
const backfillKey = (id: number): TableKey => ({ pk: `BACKFILL#${id}`, sk: 'BACKFILL' });
/** One per DAG while it has a backfill that has not completed: its conditional put makes that backfill the only one. */
const activeBackfillKey = (dagId: string): TableKey => ({ pk: `BACKFILLACTIVE#${dagId}`, sk: 'ACTIVE' });
const COUNTER_KEY: TableKey = { pk: 'COUNTER#backfill', sk: 'COUNTER' };
const rowKey = (backfillId: number, sortOrdinal: number): TableKey => ({
  pk: `BACKFILL#${backfillId}`,
  sk: `RUN#${String(sortOrdinal).padStart(8, '0')}`,
});
/** Zero-padded so that a DAG's backfills list in id order. */
const listSortKey = (dagId: string, id: number): string => `${dagId}#${String(id).padStart(12, '0')}`;

const BACKFILL_SPEC: RecordSpec<BackfillRecord> = {
  id: { kind: 'number' },
  dagId: { kind: 'string' },
  fromDate: { kind: 'date' },
  toDate: { kind: 'date' },
  dagRunConf: { kind: 'json' },
  isPaused: { kind: 'boolean' },
  reprocessBehavior: { kind: 'string' },
  maxActiveRuns: { kind: 'number' },
  runBackwards: { kind: 'boolean' },
  createdAt: { kind: 'date' },
  completedAt: { kind: 'date', nullable: true },
  updatedAt: { kind: 'date' },
  triggeringUserName: { kind: 'string', nullable: true },
  runsCreated: { kind: 'boolean' },
};

const ROW_SPEC: RecordSpec<BackfillDagRunRecord> = {
  backfillId: { kind: 'number' },
  dagId: { kind: 'string' },
  sortOrdinal: { kind: 'number' },
  logicalDate: { kind: 'date' },
  runId: { kind: 'string', nullable: true },
  exceptionReason: { kind: 'string', nullable: true },
};

const decodeBackfill = (item: Item): BackfillRecord => {
  const record = decodeRecord(BACKFILL_SPEC, item);
  return { ...record, dagRunConf: record.dagRunConf ?? {} };
};
const decodeRow = (item: Item): BackfillDagRunRecord => decodeRecord(ROW_SPEC, item);
const byId = (a: BackfillRecord, b: BackfillRecord) => a.id - b.id;

/**
 * Backfills on the metastore table: one item per backfill (listed through the lists index), one per
 * logical date in the backfill's partition, a counter for ids, and a per-DAG marker that exists while
 * the DAG has a backfill that has not completed. Creating a backfill puts the marker and the backfill in
 * one transaction, so two concurrent requests cannot both start one; completing removes the marker in
 * the same transaction that sets `completedAt`.
 */
export class DynamoDbBackfillStore implements BackfillStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createBackfill(backfill: NewBackfill): Promise<BackfillRecord> {
    const id = await this.nextId();
    const record: BackfillRecord = { ...backfill, id, completedAt: null, updatedAt: backfill.createdAt, runsCreated: false };
    const notExists = new ExpressionBuilder().notExists().build();
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...activeBackfillKey(record.dagId),
                  [ATTR.type]: 'BACKFILL_ACTIVE',
                  [ATTR.listPk]: ACTIVE_BACKFILLS_LIST,
                  [ATTR.listSk]: record.dagId,
                  dagId: record.dagId,
                  backfillId: id,
                },
                ...notExists,
              },
            },
            { Put: { TableName: this.tableName, Item: this.backfillItem(record), ...notExists } },
          ],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code !== 'ConditionalCheckFailed') throw error;
      const active = await this.activeBackfillOf(record.dagId);
      throw new ConflictError<BackfillRecord>(
        `There is already a running backfill for dag ${record.dagId}` +
          (active ? ` (backfill ${active.id}). Wait for it to complete, or cancel it with PUT /api/v2/backfills/${active.id}/cancel.` : '.'),
        active,
        { cause: error },
      );
    }
    return record;
  }

  async getBackfill(id: number): Promise<BackfillRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: backfillKey(id), ConsistentRead: true }));
    return result.Item ? decodeBackfill(result.Item as Item) : null;
  }

  async listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    const expr = new ExpressionBuilder();
    let condition = `${expr.name(ATTR.listPk)} = ${expr.value(BACKFILLS_LIST)}`;
    if (dagId !== undefined) condition += ` AND begins_with(${expr.name(ATTR.listSk)}, ${expr.value(`${dagId}#`)})`;
    const { ExpressionAttributeNames, ExpressionAttributeValues } = expr.build();
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: condition,
      ExpressionAttributeNames,
      ExpressionAttributeValues,
    });
    return items.map(decodeBackfill).sort(byId);
  }

  async listActiveBackfills(): Promise<BackfillRecord[]> {
    const markers = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': ACTIVE_BACKFILLS_LIST },
    });
    // The index may lag: each backfill is read again, consistently, and kept only if still active.
    const backfills = await mapWithConcurrency(markers, 8, (marker) => this.getBackfill(Number(marker.backfillId)));
    return backfills.filter((b): b is BackfillRecord => b !== null && b.completedAt === null).sort(byId);
  }

  async updateBackfill(id: number, changes: BackfillChanges, at: Date): Promise<BackfillRecord> {
    const expr = new ExpressionBuilder();
    expr.setChanges(BACKFILL_SPEC, changes);
    expr.set('updatedAt', encodeDate(at));
    expr.exists().isNull('completedAt');
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: backfillKey(id),
          ...expr.build(),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return decodeBackfill(result.Attributes as Item);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const item = itemFromConditionFailure(error);
      if (!item) throw notFound(id, error);
      throw new ConflictError<BackfillRecord>('Backfill is already completed.', decodeBackfill(item), { cause: error });
    }
  }

  async completeBackfill(id: number, at: Date, options: { pause?: boolean } = {}): Promise<BackfillRecord> {
    const current = await this.getBackfill(id);
    if (!current) throw notFound(id);
    if (current.completedAt) throw new ConflictError<BackfillRecord>('Backfill is already completed.', current);
    const update = new ExpressionBuilder();
    update.set('completedAt', encodeDate(at)).set('updatedAt', encodeDate(at));
    if (options.pause) update.set('isPaused', true);
    update.exists().isNull('completedAt');
    // The marker goes with it, unless it already names another backfill (it cannot, but never remove another's).
    const marker = new ExpressionBuilder();
    marker.condition(`attribute_not_exists(${marker.name('pk')}) OR ${marker.name('backfillId')} = ${marker.value(id)}`);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.tableName, Key: backfillKey(id), ...update.build(), UpdateExpression: update.updateExpression()! } },
            { Delete: { TableName: this.tableName, Key: activeBackfillKey(current.dagId), ...marker.build() } },
          ],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const now = await this.getBackfill(id);
      if (now?.completedAt) throw new ConflictError<BackfillRecord>('Backfill is already completed.', now, { cause: error });
      throw error;
    }
    return { ...current, completedAt: at, updatedAt: at, isPaused: options.pause ? true : current.isPaused };
  }

  async putBackfillDagRuns(rows: readonly BackfillDagRunRecord[]): Promise<void> {
    const requests = rows.map((row) => ({
      PutRequest: { Item: { ...rowKey(row.backfillId, row.sortOrdinal), [ATTR.type]: 'BACKFILL_DAG_RUN', ...encodeRecord(ROW_SPEC, row) } },
    }));
    for (let start = 0; start < requests.length; start += 25) {
      let pending = requests.slice(start, start + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 8) throw new Error(`DynamoDB kept ${pending.length} backfill rows unprocessed in table "${this.tableName}"; retry later.`);
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  async listBackfillDagRuns(backfillId: number): Promise<BackfillDagRunRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': backfillKey(backfillId).pk, ':prefix': 'RUN#' },
      ConsistentRead: true,
    });
    return items.map(decodeRow);
  }

  private backfillItem(record: BackfillRecord): Item {
    return {
      ...backfillKey(record.id),
      [ATTR.type]: 'BACKFILL',
      [ATTR.listPk]: BACKFILLS_LIST,
      [ATTR.listSk]: listSortKey(record.dagId, record.id),
      ...encodeRecord(BACKFILL_SPEC, record),
    };
  }

  private async nextId(): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: COUNTER_KEY,
        UpdateExpression: 'ADD #last :one',
        ExpressionAttributeNames: { '#last': 'lastId' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.lastId);
  }

  private async activeBackfillOf(dagId: string): Promise<BackfillRecord | null> {
    const marker = await this.client.send(new GetCommand({ TableName: this.tableName, Key: activeBackfillKey(dagId), ConsistentRead: true }));
    return marker.Item ? this.getBackfill(Number(marker.Item.backfillId)) : null;
  }
}

function notFound(id: number, cause?: unknown): NotFoundError {
  return new NotFoundError(
    `Could not find backfill with id ${id}. GET /api/v2/backfills?dag_id=<dag_id> lists a DAG's backfills.`,
    cause === undefined ? undefined : { cause },
  );
}
