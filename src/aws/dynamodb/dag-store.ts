import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { DagRecord, DagVersionRecord } from '../../core/model/records.ts';
import type { DagStore, ParsedDag } from '../../core/ports/metastore.ts';
import { MAX_SERIALIZED_DAG_BYTES, SerializedDagTooLargeError, isConditionalCheckFailed, itemFromConditionFailure, rethrowTooLarge } from './errors.ts';
import { ExpressionBuilder } from './expressions.ts';
import { decodeRecord, encodeDate, encodeField, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, dagKey, dagVersionKey } from './keys.ts';
import { deleteDagData } from './dag-deletion.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';

export const DAG_SPEC: RecordSpec<DagRecord> = {
  dagId: { kind: 'string' },
  fileloc: { kind: 'string' },
  isActive: { kind: 'boolean' },
  isPaused: { kind: 'boolean' },
  latestVersionId: { kind: 'string' },
  description: { kind: 'string', nullable: true },
  tags: { kind: 'stringList' },
  scheduleDescription: { kind: 'string', nullable: true },
  maxActiveRuns: { kind: 'number' },
  lastAutomatedDataInterval: { kind: 'interval', nullable: true },
  nextDagRunCreateAfter: { kind: 'date', nullable: true },
  lastParsedAt: { kind: 'date' },
};

const VERSION_SPEC: RecordSpec<DagVersionRecord> = {
  dagId: { kind: 'string' },
  versionId: { kind: 'string' },
  serialized: { kind: 'json' },
  bundleKey: { kind: 'string' },
  createdAt: { kind: 'date' },
};

/** Fields the DAG processor owns; the rest (isPaused, schedule bookkeeping) belong to users and the scheduler. */
const PARSED_FIELDS = [
  'fileloc',
  'isActive',
  'latestVersionId',
  'description',
  'tags',
  'scheduleDescription',
  'maxActiveRuns',
  'lastParsedAt',
] as const;

/** Not part of DagRecord: the timetable last parsed, so a schedule change can be told apart. */
const TIMETABLE_ATTR = 'timetable';
const SAVE_ATTEMPTS = 5;

export const decodeDag = (item: Item): DagRecord => decodeRecord(DAG_SPEC, item);

export class DynamoDbDagStore implements DagStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listDags(): Promise<DagRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.dags },
    });
    return items.map(decodeDag);
  }

  async getDag(dagId: string): Promise<DagRecord | null> {
    const item = await this.getDagItem(dagId);
    return item ? decodeDag(item) : null;
  }

  async saveParsedDag(parsed: ParsedDag): Promise<void> {
    await this.putVersionIfAbsent(parsed.version);
    const timetable = JSON.stringify(parsed.version.serialized.timetable ?? null);
    // Read, decide, write conditionally on what was read; a concurrent scheduler write makes us re-read.
    for (let attempt = 1; ; attempt++) {
      const stored = await this.getDagItem(parsed.dag.dagId);
      try {
        if (stored) await this.updateParsedDag(parsed, stored, timetable);
        else await this.createDag(parsed, timetable);
        return;
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }

  async deactivateDags(dagIds: readonly string[]): Promise<void> {
    await mapWithConcurrency([...new Set(dagIds)], 16, async (dagId) => {
      const expr = new ExpressionBuilder().set('isActive', false).exists();
      try {
        await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: dagKey(dagId), ...expr.build() }));
      } catch (error) {
        // A DAG that was never stored has nothing to deactivate.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    });
  }

  async setDagPaused(dagId: string, isPaused: boolean): Promise<DagRecord> {
    const expr = new ExpressionBuilder().set('isPaused', isPaused).exists();
    try {
      const result = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: dagKey(dagId), ...expr.build(), ReturnValues: 'ALL_NEW' }),
      );
      return decodeDag(result.Attributes as Item);
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new NotFoundError(`DAG "${dagId}" does not exist. Check the DAG id, or wait until its file has been parsed.`);
      }
      throw error;
    }
  }

  async updateDagSchedule(
    dagId: string,
    update: { lastAutomatedDataInterval: DagRecord['lastAutomatedDataInterval']; nextDagRunCreateAfter: Date | null },
    expectedLast: DagRecord['lastAutomatedDataInterval'],
  ): Promise<void> {
    const expr = new ExpressionBuilder().setChanges(DAG_SPEC, update).exists();
    if (expectedLast === null) expr.isNull('lastAutomatedDataInterval');
    else {
      expr.oneOf('lastAutomatedDataInterval.start', encodeDate(expectedLast.start));
      expr.oneOf('lastAutomatedDataInterval.end', encodeDate(expectedLast.end));
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dagKey(dagId),
          ...expr.build(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const item = itemFromConditionFailure(error);
      const current = item ? decodeDag(item) : null;
      const expected = expectedLast ? `${expectedLast.start.toISOString()} – ${expectedLast.end.toISOString()}` : 'none';
      const found = current
        ? current.lastAutomatedDataInterval
          ? `${current.lastAutomatedDataInterval.start.toISOString()} – ${current.lastAutomatedDataInterval.end.toISOString()}`
          : 'none'
        : null;
      throw new ConflictError<DagRecord>(
        found === null
          ? `DAG "${dagId}" does not exist, so its schedule was not updated.`
          : `DAG "${dagId}" schedule was not updated: expected last automated data interval ${expected}, ` +
              `found ${found}. Another scheduler moved it; re-read the DAG and decide again.`,
        current,
        { cause: error },
      );
    }
  }

  async getDagVersion(dagId: string, versionId: string): Promise<DagVersionRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dagVersionKey(dagId, versionId), ConsistentRead: true }),
    );
    return result.Item ? decodeRecord(VERSION_SPEC, result.Item as Item) : null;
  }

  async deleteDag(dagId: string): Promise<boolean> {
    const dag = await this.getDag(dagId);
    if (!dag) return false;
    await deleteDagData(this.client, this.tableName, dagId, dag.fileloc);
    return true;
  }

  private async getDagItem(dagId: string): Promise<Item | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: dagKey(dagId), ConsistentRead: true }));
    return (result.Item as Item | undefined) ?? null;
  }

  private async putVersionIfAbsent(version: DagVersionRecord): Promise<void> {
    const item = encodeRecord(VERSION_SPEC, version);
    const bytes = Buffer.byteLength(item.serialized as string, 'utf8');
    if (bytes > MAX_SERIALIZED_DAG_BYTES) throw new SerializedDagTooLargeError(version.dagId, bytes);
    const expr = new ExpressionBuilder().notExists();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...dagVersionKey(version.dagId, version.versionId), [ATTR.type]: 'DAG_VERSION', ...item },
          ...expr.build(),
        }),
      );
    } catch (error) {
      // Versions are content-addressed and immutable: an existing one is the same version.
      if (isConditionalCheckFailed(error)) return;
      rethrowTooLarge(error, `The serialized DAG "${version.dagId}"`);
    }
  }

  private async createDag(parsed: ParsedDag, timetable: string): Promise<void> {
    const record: DagRecord = {
      ...parsed.dag,
      isPaused: parsed.pausedAtCreation,
      lastAutomatedDataInterval: null,
      nextDagRunCreateAfter: parsed.nextDagRunCreateAfter,
    };
    const expr = new ExpressionBuilder().notExists();
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...dagKey(record.dagId),
          [ATTR.type]: 'DAG',
          [ATTR.listPk]: LIST.dags,
          [ATTR.listSk]: record.dagId,
          [TIMETABLE_ATTR]: timetable,
          ...encodeRecord(DAG_SPEC, record),
        },
        ...expr.build(),
      }),
    );
  }

  /**
   * Keeps isPaused and lastAutomatedDataInterval. nextDagRunCreateAfter is taken from the parse only
   * when the stored one is null while the DAG is (re)activated, or when the timetable changed; then the
   * write is conditional on the stored value still being what we read.
   */
  private async updateParsedDag(parsed: ParsedDag, stored: Item, timetable: string): Promise<void> {
    const expr = new ExpressionBuilder().exists();
    for (const field of PARSED_FIELDS) {
      const value = parsed.dag[field];
      if (value === null) expr.remove(field);
      else expr.set(field, encodeField(DAG_SPEC[field].kind, value));
    }
    expr.set(TIMETABLE_ATTR, timetable);
    const storedNext = stored.nextDagRunCreateAfter as string | undefined;
    const timetableChanged = stored[TIMETABLE_ATTR] !== undefined && stored[TIMETABLE_ATTR] !== timetable;
    const takeParsedNext = parsed.dag.isActive && (storedNext === undefined || timetableChanged);
    if (takeParsedNext) {
      if (parsed.nextDagRunCreateAfter) expr.set('nextDagRunCreateAfter', encodeDate(parsed.nextDagRunCreateAfter));
      else expr.remove('nextDagRunCreateAfter');
      if (storedNext === undefined) expr.isNull('nextDagRunCreateAfter');
      else expr.oneOf('nextDagRunCreateAfter', storedNext);
    }
    await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: dagKey(parsed.dag.dagId), ...expr.build() }));
  }
}
