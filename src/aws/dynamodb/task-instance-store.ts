import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type DagRunKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type {
  TaskInstanceChanges,
  TaskInstanceCondition,
  TaskInstanceStore,
} from '../../core/ports/metastore.ts';
import { isConditionalCheckFailed, itemFromConditionFailure } from './errors.ts';
import { ExpressionBuilder } from './expressions.ts';
import { decodeDate, decodeRecord, encodeDate, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, taskInstanceKey, taskInstancesPartition } from './keys.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';

// deadlineAlertedAt is left out: it is decoded only when present, so instances without it compare as before.
const TASK_INSTANCE_SPEC: RecordSpec<Omit<TaskInstanceRecord, 'deadlineAlertedAt'>> = {
  dagId: { kind: 'string' },
  runId: { kind: 'string' },
  taskId: { kind: 'string' },
  mapIndex: { kind: 'number' },
  state: { kind: 'string' },
  tryNumber: { kind: 'number' },
  maxTries: { kind: 'number' },
  operator: { kind: 'string' },
  executor: { kind: 'string', nullable: true },
  pool: { kind: 'string' },
  priorityWeight: { kind: 'number' },
  queuedAt: { kind: 'date', nullable: true },
  startDate: { kind: 'date', nullable: true },
  endDate: { kind: 'date', nullable: true },
  lastHeartbeatAt: { kind: 'date', nullable: true },
  nextRetryAt: { kind: 'date', nullable: true },
  rescheduleDate: { kind: 'date', nullable: true },
  firstRescheduleDate: { kind: 'date', nullable: true },
  trigger: { kind: 'json', nullable: true },
  triggerTimeout: { kind: 'date', nullable: true },
  nextMethod: { kind: 'string', nullable: true },
  nextKwargs: { kind: 'json', nullable: true },
  workerId: { kind: 'string', nullable: true },
  externalExecutorId: { kind: 'string', nullable: true },
};

/** Set once by a deadline alert (the write is conditional on its absence); a clear removes it (null). */
const DEADLINE_ALERTED_ATTR = 'deadlineAlertedAt';
const CHANGES_SPEC: RecordSpec<TaskInstanceRecord> = { ...TASK_INSTANCE_SPEC, [DEADLINE_ALERTED_ATTR]: { kind: 'date', nullable: true } };

const KEY_FIELDS = new Set(['dagId', 'runId', 'taskId', 'mapIndex']);

/**
 * Creating a run's instances: TransactWriteItems chunks of 100 conditional puts measured faster than
 * parallel single puts (docs/data-model.md has the numbers); an existing item only cancels its chunk
 * once. Transactions cost two write units per item, which is acceptable for one write per instance.
 */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_CONCURRENCY = 2;
const TRANSACTION_ATTEMPTS = 4;
const PUT_CONCURRENCY = 32;

function decodeTaskInstance(item: Item): TaskInstanceRecord {
  const ti: TaskInstanceRecord = decodeRecord(TASK_INSTANCE_SPEC, item);
  if (typeof item[DEADLINE_ALERTED_ATTR] === 'string') ti.deadlineAlertedAt = decodeDate(item[DEADLINE_ALERTED_ATTR]);
  return ti;
}

function describeCondition(condition: TaskInstanceCondition): string {
  const parts: string[] = condition.deadlineAlertedAt === null ? ['no deadline alert sent yet'] : [];
  if (condition.state !== undefined) parts.push(`state ${[condition.state].flat().join(' or ')}`);
  if (condition.tryNumber !== undefined) parts.push(`try ${condition.tryNumber}`);
  if (condition.workerId !== undefined) parts.push(condition.workerId === null ? 'no worker' : `worker ${condition.workerId}`);
  if (condition.rescheduleDate !== undefined) parts.push(`reschedule date ${condition.rescheduleDate.toISOString()}`);
  return parts.join(', ');
}

function describeRecord(record: TaskInstanceRecord): string {
  const alerted = record.deadlineAlertedAt ? `, deadline alerted at ${record.deadlineAlertedAt.toISOString()}` : '';
  return `state ${record.state}, try ${record.tryNumber}, ${record.workerId === null ? 'no worker' : `worker ${record.workerId}`}${alerted}`;
}

/** Task instances of one run share a partition, so a run's instances are one strongly consistent query. */
export class DynamoDbTaskInstanceStore implements TaskInstanceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createTaskInstances(instances: readonly TaskInstanceRecord[]): Promise<void> {
    const items = new Map<string, Item>();
    for (const instance of instances) {
      const key = taskInstanceKey(instance);
      // One transaction may not name an item twice; a repeated key is "already exists" anyway.
      const id = `${key.pk}\u0000${key.sk}`;
      if (!items.has(id)) items.set(id, { ...key, [ATTR.type]: 'TASK_INSTANCE', ...encodeRecord(TASK_INSTANCE_SPEC, instance) });
    }
    const all = [...items.values()];
    const chunks: Item[][] = [];
    for (let start = 0; start < all.length; start += TRANSACTION_ITEMS) chunks.push(all.slice(start, start + TRANSACTION_ITEMS));
    await mapWithConcurrency(chunks, TRANSACTION_CONCURRENCY, (chunk) => this.createChunk(chunk));
  }

  /**
   * One transaction of conditional puts. When it is cancelled, the items that already exist are
   * dropped and the rest is tried again; when it keeps being cancelled for other reasons (conflicts
   * with other transactions, throttling), the chunk falls back to single conditional puts.
   */
  private async createChunk(chunk: Item[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (pending.length === 1 || attempt > TRANSACTION_ATTEMPTS) return this.putEach(pending);
      const condition = new ExpressionBuilder().notExists().build();
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: pending.map((Item) => ({ Put: { TableName: this.tableName, Item, ...condition } })),
          }),
        );
        return;
      } catch (error) {
        if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (!reasons || reasons.length !== pending.length) return this.putEach(pending);
        const contended = reasons.some((reason) => reason.Code !== 'None' && reason.Code !== 'ConditionalCheckFailed');
        pending = pending.filter((_, index) => reasons[index]?.Code !== 'ConditionalCheckFailed');
        // Another transaction or throttling: back off before trying the chunk again.
        if (contended) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  }

  private async putEach(items: readonly Item[]): Promise<void> {
    await mapWithConcurrency(items, PUT_CONCURRENCY, async (Item) => {
      try {
        await this.client.send(
          new PutCommand({ TableName: this.tableName, Item, ...new ExpressionBuilder().notExists().build() }),
        );
      } catch (error) {
        // It exists already (maybe advanced since): leave it as it is.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    });
  }

  async getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: taskInstanceKey(key), ConsistentRead: true }),
    );
    return result.Item ? decodeTaskInstance(result.Item as Item) : null;
  }

  async listTaskInstances(run: DagRunKey): Promise<TaskInstanceRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': taskInstancesPartition(run), ':prefix': 'TI#' },
      ConsistentRead: true,
    });
    return items.map(decodeTaskInstance);
  }

  /** A string-set ADD is idempotent, so a repeated fast path cannot inflate the count. */
  async recordSucceededUpstream(downstream: TaskInstanceKey, upstreamTaskId: string): Promise<number | null> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskInstanceKey(downstream),
          UpdateExpression: 'ADD #set :upstream',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#set': ATTR.succeededUpstreams, '#pk': ATTR.pk },
          ExpressionAttributeValues: { ':upstream': new Set([upstreamTaskId]) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const members = result.Attributes?.[ATTR.succeededUpstreams] as Set<string> | undefined;
      return members?.size ?? 0;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }

  /** A string-set DELETE: removing what is not there is a no-op, so repeated clears are harmless. */
  async forgetSucceededUpstreams(downstream: TaskInstanceKey, upstreamTaskIds: readonly string[]): Promise<void> {
    if (upstreamTaskIds.length === 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskInstanceKey(downstream),
          UpdateExpression: 'DELETE #set :upstreams',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#set': ATTR.succeededUpstreams, '#pk': ATTR.pk },
          ExpressionAttributeValues: { ':upstreams': new Set(upstreamTaskIds) },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** One UpdateItem: the condition is checked and the new record returned by the same request. */
  async updateTaskInstance(
    key: TaskInstanceKey,
    changes: TaskInstanceChanges,
    condition: TaskInstanceCondition = {},
  ): Promise<TaskInstanceRecord> {
    const expr = new ExpressionBuilder().setChanges(CHANGES_SPEC, changes, KEY_FIELDS);
    // An empty change is still a conditional read-modify-write (it returns the record when it matches).
    if (!expr.hasUpdates()) expr.setRaw(`${expr.name('tryNumber')} = ${expr.name('tryNumber')}`);
    expr.exists();
    if (condition.state !== undefined) expr.oneOf('state', condition.state);
    if (condition.tryNumber !== undefined) expr.oneOf('tryNumber', condition.tryNumber);
    if (condition.workerId === null) expr.isNull('workerId');
    else if (condition.workerId !== undefined) expr.oneOf('workerId', condition.workerId);
    if (condition.rescheduleDate !== undefined) expr.oneOf('rescheduleDate', encodeDate(condition.rescheduleDate));
    if (condition.deadlineAlertedAt === null) expr.isNull(DEADLINE_ALERTED_ATTR);
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskInstanceKey(key),
          ...expr.build(),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return decodeTaskInstance(result.Attributes as Item);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const item = itemFromConditionFailure(error);
      const current = item ? decodeTaskInstance(item) : null;
      const what = `Task instance ${formatTaskInstanceKey(key)}`;
      throw new ConflictError<TaskInstanceRecord>(
        current
          ? `${what} was not updated: expected ${describeCondition(condition)}; it is ${describeRecord(current)}. ` +
              'Another writer changed it first; re-read it and decide again.'
          : `${what} does not exist, so it was not updated. Check the key, or create the run's task instances first.`,
        current,
        { cause: error },
      );
    }
  }
}
