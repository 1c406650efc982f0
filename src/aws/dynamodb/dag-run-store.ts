import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { DagRunKey } from '../../core/model/keys.ts';
import type { DagRunRecord } from '../../core/model/records.ts';
import { FINISHED_DAG_RUN_STATES } from '../../core/model/states.ts';
import type {
  DagRunChanges,
  DagRunCondition,
  DagRunListOptions,
  DagRunSearch,
  DagRunStore,
  DagRunWithNote,
  InstantRange,
} from '../../core/ports/metastore.ts';
import { isConditionalCheckFailed, itemFromConditionFailure, rethrowTooLarge } from './errors.ts';
import { ExpressionBuilder } from './expressions.ts';
import { decodeDate, decodeRecord, encodeDate, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, activeRunListKey, dagRunKey, runOrderKey, runsPartition } from './keys.ts';
import { deleteRunData } from './dag-deletion.ts';
import { queryAll } from './requests.ts';

// deadlineAlertedAt is left out: it is decoded only when present (see decodeRun), so runs without it compare as before.
const DAG_RUN_SPEC: RecordSpec<Omit<DagRunRecord, 'deadlineAlertedAt'>> = {
  dagId: { kind: 'string' },
  runId: { kind: 'string' },
  state: { kind: 'string' },
  runType: { kind: 'string' },
  logicalDate: { kind: 'date' },
  dataInterval: { kind: 'interval' },
  runAfter: { kind: 'date' },
  versionId: { kind: 'string' },
  conf: { kind: 'json' },
  queuedAt: { kind: 'date' },
  startDate: { kind: 'date', nullable: true },
  endDate: { kind: 'date', nullable: true },
  revision: { kind: 'number' },
};

const CHANGEABLE = new Set<string>(['state', 'startDate', 'endDate', 'conf', 'queuedAt', 'runType']);

/** Not part of DagRunRecord: what a person wrote about the run (Airflow's DagRunNote), on the run's item. */
const NOTE_ATTR = 'note';
/** Airflow's DagRunNote.content limit. */
export const MAX_DAG_RUN_NOTE_LENGTH = 1000;

/** Set once by markDeadlineAlerted; absent on runs whose deadline alert was not sent. */
const DEADLINE_ALERTED_ATTR = 'deadlineAlertedAt';

const decodeRun = (item: Item): DagRunRecord => {
  const run: DagRunRecord = decodeRecord(DAG_RUN_SPEC, item);
  if (typeof item[DEADLINE_ALERTED_ATTR] === 'string') run.deadlineAlertedAt = decodeDate(item[DEADLINE_ALERTED_ATTR]);
  return run;
};

const decodeWithNote = (item: Item): DagRunWithNote => ({
  run: decodeRun(item),
  note: typeof item[NOTE_ATTR] === 'string' ? (item[NOTE_ATTR] as string) : null,
});

function inRange(date: Date | null, range: InstantRange | undefined): boolean {
  if (!range) return true;
  if (date === null) return range.gte === undefined && range.lte === undefined;
  return (range.gte === undefined || date >= range.gte) && (range.lte === undefined || date <= range.lte);
}

function matches(run: DagRunRecord, search: DagRunSearch): boolean {
  return (
    (search.states === undefined || search.states.includes(run.state)) &&
    (search.runTypes === undefined || search.runTypes.includes(run.runType)) &&
    inRange(run.startDate, search.startDate) &&
    inRange(run.endDate, search.endDate) &&
    inRange(run.runAfter, search.runAfter)
  );
}

const describeRun = (key: DagRunKey) => `DAG run ${key.dagId}/${key.runId}`;

/**
 * Runs live in their DAG's partition; an LSI orders them by logical date, and while a run is queued or
 * running it also carries the lists-GSI keys of the active-runs list (removed when it finishes).
 */
export class DynamoDbDagRunStore implements DagRunStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createDagRun(run: DagRunRecord): Promise<boolean> {
    const item: Item = {
      ...dagRunKey(run),
      [ATTR.type]: 'DAG_RUN',
      [ATTR.runOrder]: runOrderKey(encodeDate(run.logicalDate), run.runId),
      ...encodeRecord(DAG_RUN_SPEC, run),
    };
    if (!FINISHED_DAG_RUN_STATES.has(run.state)) {
      item[ATTR.listPk] = LIST.activeRuns;
      item[ATTR.listSk] = activeRunListKey(run);
    }
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...new ExpressionBuilder().notExists().build() }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      rethrowTooLarge(error, `${describeRun(run)} (its conf)`);
    }
  }

  async getDagRun(key: DagRunKey): Promise<DagRunRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: dagRunKey(key), ConsistentRead: true }));
    return result.Item ? decodeRun(result.Item as Item) : null;
  }

  async listDagRuns(dagId: string, options: DagRunListOptions = {}): Promise<DagRunRecord[]> {
    const { limit, states, runTypes, logicalDateBefore } = options;
    if (limit !== undefined && limit <= 0) return [];
    if (states !== undefined && states.length === 0) return [];
    if (runTypes !== undefined && runTypes.length === 0) return [];
    const names: Record<string, string> = { '#pk': ATTR.pk, '#order': ATTR.runOrder };
    const values: Record<string, unknown> = { ':pk': runsPartition(dagId), ':prefix': 'RUN#' };
    const filters: string[] = [];
    if (states) {
      names['#state'] = 'state';
      filters.push(`#state IN (${states.map((state, i) => ((values[`:s${i}`] = state), `:s${i}`)).join(', ')})`);
    }
    if (runTypes) {
      names['#runType'] = 'runType';
      filters.push(`#runType IN (${runTypes.map((type, i) => ((values[`:t${i}`] = type), `:t${i}`)).join(', ')})`);
    }
    const filter = filters.length > 0 ? filters.join(' AND ') : undefined;
    // Strictly before: a run id is never empty, so the key of (date, '') sorts below every run at that date.
    if (logicalDateBefore) values[':before'] = runOrderKey(encodeDate(logicalDateBefore), '');
    const order = logicalDateBefore ? '#order BETWEEN :prefix AND :before' : 'begins_with(#order, :prefix)';
    const items = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        IndexName: INDEX.runsByLogicalDate,
        KeyConditionExpression: `#pk = :pk AND ${order}`,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ConsistentRead: true,
        // DynamoDB applies Limit before the filter, so a filtered query reads pages until it has enough.
        Limit: limit !== undefined && !filter ? limit : undefined,
      },
      limit !== undefined ? (collected) => collected.length >= limit : undefined,
    );
    return (limit !== undefined ? items.slice(0, limit) : items).map(decodeRun);
  }

  async listActiveDagRuns(): Promise<DagRunRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.activeRuns },
    });
    // The index is eventually consistent; a run that finished a moment ago may still be listed.
    return items.map(decodeRun).filter((run) => !FINISHED_DAG_RUN_STATES.has(run.state));
  }

  /**
   * The logical-date range is the LSI's key condition; the other filters are applied here, after the read:
   * a DAG's partition holds only its runs, and the REST API needs the total count anyway.
   */
  async searchDagRuns(dagId: string, search: DagRunSearch = {}): Promise<DagRunWithNote[]> {
    const { gte, lte } = search.logicalDate ?? {};
    const values: Record<string, unknown> = { ':pk': runsPartition(dagId) };
    let order: string;
    if (gte && lte) {
      values[':from'] = runOrderKey(encodeDate(gte), '');
      values[':to'] = runOrderKey(encodeDate(lte), '\uffff');
      order = '#order BETWEEN :from AND :to';
    } else if (gte) {
      values[':from'] = runOrderKey(encodeDate(gte), '');
      values[':to'] = 'RUN#\uffff';
      order = '#order BETWEEN :from AND :to';
    } else if (lte) {
      values[':from'] = 'RUN#';
      values[':to'] = runOrderKey(encodeDate(lte), '\uffff');
      order = '#order BETWEEN :from AND :to';
    } else {
      values[':prefix'] = 'RUN#';
      order = 'begins_with(#order, :prefix)';
    }
    if (gte && lte && gte > lte) return [];
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.runsByLogicalDate,
      KeyConditionExpression: `#pk = :pk AND ${order}`,
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#order': ATTR.runOrder },
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map(decodeWithNote).filter(({ run }) => matches(run, search));
  }

  async getDagRunWithNote(key: DagRunKey): Promise<DagRunWithNote | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: dagRunKey(key), ConsistentRead: true }));
    return result.Item ? decodeWithNote(result.Item as Item) : null;
  }

  async setDagRunNote(key: DagRunKey, note: string | null): Promise<DagRunWithNote> {
    const expr = new ExpressionBuilder();
    if (note === null) expr.remove(NOTE_ATTR);
    else expr.set(NOTE_ATTR, note);
    expr.setRaw(`${expr.name('revision')} = ${expr.name('revision')} + ${expr.value(1)}`).exists();
    try {
      const result = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: dagRunKey(key), ...expr.build(), ReturnValues: 'ALL_NEW' }),
      );
      return decodeWithNote(result.Attributes as Item);
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new NotFoundError(`${describeRun(key)} does not exist, so its note was not set.`);
      throw error;
    }
  }

  deleteDagRun(key: DagRunKey): Promise<boolean> {
    return deleteRunData(this.client, this.tableName, key);
  }

  async markDeadlineAlerted(key: DagRunKey, at: Date): Promise<DagRunRecord | null> {
    const expr = new ExpressionBuilder();
    expr.set(DEADLINE_ALERTED_ATTR, encodeDate(at));
    expr.setRaw(`${expr.name('revision')} = ${expr.name('revision')} + ${expr.value(1)}`);
    expr.exists().oneOf('state', ['queued', 'running']).isNull(DEADLINE_ALERTED_ATTR);
    try {
      const result = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: dagRunKey(key), ...expr.build(), ReturnValues: 'ALL_NEW' }),
      );
      return decodeRun(result.Attributes as Item);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }

  async updateDagRun(key: DagRunKey, changes: DagRunChanges, condition: DagRunCondition = {}): Promise<DagRunRecord> {
    const expr = new ExpressionBuilder();
    const unknown = Object.keys(changes).filter((field) => !CHANGEABLE.has(field));
    if (unknown.length) throw new TypeError(`A DAG run's ${unknown.join(', ')} cannot be changed.`);
    expr.setChanges(DAG_RUN_SPEC, changes);
    expr.setRaw(`${expr.name('revision')} = ${expr.name('revision')} + ${expr.value(1)}`);
    if (changes.state !== undefined) {
      if (FINISHED_DAG_RUN_STATES.has(changes.state)) expr.remove(ATTR.listPk).remove(ATTR.listSk);
      else expr.set(ATTR.listPk, LIST.activeRuns).set(ATTR.listSk, activeRunListKey(key));
    }
    expr.exists();
    if (condition.state !== undefined) expr.oneOf('state', condition.state);
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dagRunKey(key),
          ...expr.build(),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return decodeRun(result.Attributes as Item);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) rethrowTooLarge(error, `${describeRun(key)} (its conf)`);
      const item = itemFromConditionFailure(error);
      const current = item ? decodeRun(item) : null;
      const expected = condition.state === undefined ? '' : ` expected state ${[condition.state].flat().join(' or ')};`;
      throw new ConflictError<DagRunRecord>(
        current
          ? `${describeRun(key)} was not updated:${expected} it is ${current.state}. Re-read the run and decide again.`
          : `${describeRun(key)} does not exist, so it was not updated.`,
        current,
        { cause: error },
      );
    }
  }
}
