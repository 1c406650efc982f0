import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { SlotAcquireResult, SlotLeaseStore, SlotLimitUsage } from '../../core/ports/slot-lease-store.ts';
import type { SlotLimit, SlotLimitKind } from '../../core/scheduling/concurrency-limits.ts';
import { isConditionalCheckFailed } from './errors.ts';
import type { Item } from './item-codec.ts';
import { ATTR, INDEX } from './keys.ts';
import { mapWithConcurrency, queryAll } from './requests.ts';
import {
  counterAcquireUpdate,
  counterKey,
  decodePartition,
  holderName,
  leasedSlots,
  leaseItem,
  leaseKey,
  registryItem,
  registryKey,
  REGISTRY_SK,
  SLOT_LIMITS_LIST,
  slotLimitPartition,
  type LimitPartition,
} from './slot-lease-items.ts';
import { conditionFailed, itemExisted, transact, type TransactItem } from './slot-lease-transactions.ts';

export { SLOT_LIMITS_LIST } from './slot-lease-items.ts';

/** Limit partitions read at once by `listUsage`. */
const READS_IN_FLIGHT = 8;
/** TransactWriteItems takes at most 100 items: a batch writes one counter and one lease per holder per limit. */
const TRANSACTION_ITEMS = 100;
const MAX_BATCH = 32;

interface WaitingAcquire {
  holder: TaskAttemptKey;
  now: Date;
  resolve: (result: SlotAcquireResult) => void;
  reject: (error: unknown) => void;
}

/** Acquires of the same limits that wait together for the previous acquire on them to end. */
interface AcquireBatch {
  limits: readonly SlotLimit[];
  members: WaitingAcquire[];
}

/**
 * Slot leases on the metastore table: per limited resource a small counter item and one item per lease
 * (slot-lease-items.ts). An acquire is one transaction over the holder's limits: per limit, add to the
 * counter on condition there is room, and put the lease on condition it is not there. A release deletes
 * the lease on condition it is there, then subtracts from the counter. Both are safe to repeat; the
 * counter equals the sum of its leases except after a crash mid-release, which the reconcile repairs.
 *
 * Acquires in this process that share a resource run one after another: concurrent transactions on one
 * counter cancel each other (TransactionConflict), and a fan-out would otherwise spend its time retrying.
 */
export class DynamoDbSlotLeaseStore implements SlotLeaseStore {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Batches still taking members, by their limits; closed when they start. */
  private readonly forming = new Map<string, AcquireBatch>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquire(holder: TaskAttemptKey, limits: readonly SlotLimit[], now: Date): Promise<SlotAcquireResult> {
    if (limits.length === 0) return { granted: true };
    const impossible = limits.filter((limit) => limit.slots > limit.capacity);
    if (impossible.length > 0) return { granted: false, full: impossible };
    // Acquires of the same limits that queue up behind one another (a fan-out) go as one batch: one
    // transaction takes every member's slots when there is room for all, instead of one after another.
    const key = batchKey(limits);
    return new Promise<SlotAcquireResult>((resolve, reject) => {
      const joining = this.forming.get(key);
      if (joining) {
        joining.members.push({ holder, now, resolve, reject });
        return;
      }
      const batch: AcquireBatch = { limits, members: [{ holder, now, resolve, reject }] };
      this.forming.set(key, batch);
      void this.serialized(
        limits.map((limit) => limit.id),
        async () => {
          if (this.forming.get(key) === batch) this.forming.delete(key);
          await this.acquireBatch(batch);
        },
      );
    });
  }

  /** Settles every member: one transaction for all when it goes through, else each on its own. */
  private async acquireBatch(batch: AcquireBatch): Promise<void> {
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(TRANSACTION_ITEMS / batch.limits.length) - 1));
    for (let start = 0; start < batch.members.length; start += size) {
      const chunk = batch.members.slice(start, start + size);
      try {
        // A transaction may not name an item twice: the same holder twice in a chunk goes one by one.
        const distinct = new Set(chunk.map((member) => holderName(member.holder))).size === chunk.length;
        if (chunk.length > 1 && distinct && (await this.acquireAllAtOnce(chunk, batch.limits))) {
          for (const member of chunk) member.resolve({ granted: true });
          continue;
        }
      } catch (error) {
        for (const member of chunk) member.reject(error);
        continue;
      }
      for (const member of chunk) {
        try {
          member.resolve(await this.acquireNow(member.holder, batch.limits, member.now));
        } catch (error) {
          member.reject(error);
        }
      }
    }
  }

  /**
   * The common case of a batch: the counters exist, there is room for every member, and none holds a
   * lease yet. Anything else cancels the transaction (nothing is written) and the members go one by one.
   */
  private async acquireAllAtOnce(members: readonly WaitingAcquire[], limits: readonly SlotLimit[]): Promise<boolean> {
    const items: TransactItem[] = [];
    for (const limit of limits) {
      const total = { ...limit, slots: limit.slots * members.length };
      items.push({ Update: counterAcquireUpdate(this.tableName, total, false) });
      for (const member of members) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: leaseItem(limit, member.holder, member.now),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTR.pk },
          },
        });
      }
    }
    return (await transact(this.client, items)) === null;
  }

  async release(holder: TaskAttemptKey, limits: readonly Pick<SlotLimit, 'id' | 'slots'>[]): Promise<void> {
    await Promise.all(limits.map((limit) => this.releaseOne(holder, limit)));
  }

  /** One query of the lists index for the limits, then one consistent query per limit for its counter and leases. */
  async listUsage(): Promise<SlotLimitUsage[]> {
    const registered = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': SLOT_LIMITS_LIST },
    });
    // Items of the earlier one-item-per-limit layout (sort key `LIMIT`) are not registry items.
    const kinds = new Map<string, SlotLimitKind>();
    for (const item of registered) if (item[ATTR.sk] === REGISTRY_SK) kinds.set(String(item[ATTR.listSk]), item.kind as SlotLimitKind);
    const partitions = await mapWithConcurrency([...kinds.keys()], READS_IN_FLIGHT, (limitId) => this.readPartition(limitId));
    return partitions
      .filter((partition) => partition.counter !== null || partition.leases.length > 0)
      .map((partition) => ({
        limitId: partition.limitId,
        kind: partition.counter?.kind ?? kinds.get(partition.limitId)!,
        capacity: partition.counter?.capacity ?? 0,
        taken: partition.counter?.taken ?? 0,
        leases: partition.leases,
      }));
  }

  async forgetIfUnused(limitId: string): Promise<void> {
    // The counter sorts first and the registry last: two items show whether any lease sits between.
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ExpressionAttributeValues: { ':pk': slotLimitPartition(limitId) },
        ConsistentRead: true,
        Limit: 2,
      }),
    );
    const seen = decodePartition(limitId, (page.Items ?? []) as Item[]);
    if (seen.leases.length > 0 || (seen.counter !== null && seen.counter.taken > 0)) return;
    // The guard shares the counter item with every acquire, so an acquire that lands first cancels the forget.
    const guard: TransactItem = seen.counter
      ? {
          Delete: {
            TableName: this.tableName,
            Key: counterKey(limitId),
            ConditionExpression: '#version = :version AND #taken <= :zero',
            ExpressionAttributeNames: { '#version': 'version', '#taken': 'taken' },
            ExpressionAttributeValues: { ':version': seen.counter.version, ':zero': 0 },
          },
        }
      : {
          ConditionCheck: {
            TableName: this.tableName,
            Key: counterKey(limitId),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTR.pk },
          },
        };
    // A cancelled forget means the limit is in use again: keep it.
    await transact(this.client, [guard, { Delete: { TableName: this.tableName, Key: registryKey(limitId) } }]);
  }

  async repairCount(limitId: string): Promise<boolean> {
    const first = await this.readPartition(limitId);
    if (first.counter === null || leasedSlots(first) === first.counter.taken) return false;
    // A query is no snapshot: a transaction committing while it reads can show its counter without its
    // lease. A second read that sees the same version and the same leases rules that out.
    const second = await this.readPartition(limitId);
    if (second.counter?.version !== first.counter.version || leasedSlots(second) !== leasedSlots(first)) return false;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: counterKey(limitId),
          UpdateExpression: 'SET #taken = :sum ADD #version :one',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#taken': 'taken', '#version': 'version' },
          ExpressionAttributeValues: { ':sum': leasedSlots(second), ':one': 1, ':version': first.counter.version },
        }),
      );
      return true;
    } catch (error) {
      // An acquire or release landed meanwhile; the next reconcile looks again.
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async readPartition(limitId: string): Promise<LimitPartition> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
      ExpressionAttributeValues: { ':pk': slotLimitPartition(limitId) },
      ConsistentRead: true,
    });
    return decodePartition(limitId, items);
  }

  private async acquireNow(holder: TaskAttemptKey, limits: readonly SlotLimit[], now: Date): Promise<SlotAcquireResult> {
    let pending = [...limits];
    const create = new Set<string>();
    // Each round grants, finds a full limit, or learns what to write differently: leases the holder
    // already has are dropped, a missing counter is created, a counter created meanwhile is updated.
    for (let round = 0; round <= 2 * limits.length + 1; round += 1) {
      const outcome = await this.acquireRound(holder, pending, create, now);
      if (outcome.kind === 'granted') return { granted: true };
      if (outcome.kind === 'full') return { granted: false, full: outcome.full };
      pending = pending.filter((limit) => !outcome.held.has(limit.id));
      if (pending.length === 0) return { granted: true };
      for (const id of outcome.missing) create.add(id);
      for (const id of outcome.existing) create.delete(id);
    }
    throw new Error(`Acquiring slot leases for ${holderName(holder)} did not settle; the next scheduler pass tries again.`);
  }

  private async acquireRound(holder: TaskAttemptKey, limits: readonly SlotLimit[], create: ReadonlySet<string>, now: Date): Promise<AcquireRound> {
    const items: TransactItem[] = [];
    const positions: { limit: SlotLimit; counter: number; lease: number; creating: boolean }[] = [];
    for (const limit of limits) {
      const creating = create.has(limit.id);
      const counter = items.push({ Update: { ...counterAcquireUpdate(this.tableName, limit, creating), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } }) - 1;
      if (creating) items.push({ Put: { TableName: this.tableName, Item: registryItem(limit) } });
      const lease =
        items.push({
          Put: {
            TableName: this.tableName,
            Item: leaseItem(limit, holder, now),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTR.pk },
          },
        }) - 1;
      positions.push({ limit, counter, lease, creating });
    }
    const reasons = await transact(this.client, items);
    if (reasons === null) return { kind: 'granted' };

    const round: AcquireRound & { kind: 'retry' } = { kind: 'retry', held: new Set(), missing: new Set(), existing: new Set() };
    let full: SlotLimit[] = [];
    for (const { limit, counter, lease, creating } of positions) {
      if (conditionFailed(reasons[lease])) round.held.add(limit.id);
      else if (!conditionFailed(reasons[counter])) continue;
      else if (creating) round.existing.add(limit.id);
      else if (itemExisted(reasons[counter])) full.push(limit);
      else round.missing.add(limit.id);
    }
    if (full.length > 0) {
      // DynamoDB need not report every failed condition of a cancelled transaction: a full limit whose
      // lease this holder already has is not full for it.
      const held = await Promise.all(full.map((limit) => this.holds(holder, limit.id)));
      held.forEach((isHeld, index) => isHeld && round.held.add(full[index]!.id));
      full = full.filter((_, index) => !held[index]);
      if (full.length > 0) return { kind: 'full', full };
    }
    return round;
  }

  private async holds(holder: TaskAttemptKey, limitId: string): Promise<boolean> {
    const found = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leaseKey(limitId, holder), ConsistentRead: true }));
    return found.Item !== undefined;
  }

  /**
   * Deletes the lease, then takes its slots off the counter: two plain writes rather than a transaction,
   * because releases of a busy pool would otherwise cancel each other on the shared counter and retry.
   * The delete's condition makes the counter write happen once per lease; a crash between the two leaves
   * the counter high, which the scheduler's reconcile corrects (`repairCount`).
   */
  private async releaseOne(holder: TaskAttemptKey, limit: Pick<SlotLimit, 'id' | 'slots'>): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leaseKey(limit.id, holder),
          ConditionExpression: 'attribute_exists(#pk) AND #slots = :slots',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#slots': 'slots' },
          ExpressionAttributeValues: { ':slots': limit.slots },
        }),
      );
    } catch (error) {
      // Not held (released before, or never granted): nothing to give back.
      if (isConditionalCheckFailed(error)) return;
      throw error;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: counterKey(limit.id),
          UpdateExpression: 'ADD #taken :negative, #version :one',
          ConditionExpression: 'attribute_exists(#taken)',
          ExpressionAttributeNames: { '#taken': 'taken', '#version': 'version' },
          ExpressionAttributeValues: { ':negative': -limit.slots, ':one': 1 },
        }),
      );
    } catch (error) {
      // A lease without a counter (deleted by hand): the lease is gone, which is all there was to give back.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Runs `fn` after every earlier call in this process that shares one of `ids` has settled. */
  private async serialized<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
    const before = ids.map((id) => this.tails.get(id)).filter((tail): tail is Promise<unknown> => tail !== undefined);
    const run = Promise.all(before.map((tail) => tail.catch(() => undefined))).then(fn);
    const tail = run.catch(() => undefined);
    for (const id of ids) this.tails.set(id, tail);
    try {
      return await run;
    } finally {
      for (const id of ids) if (this.tails.get(id) === tail) this.tails.delete(id);
    }
  }
}

/** Acquires batch together only when they need exactly the same slots of the same limits. */
function batchKey(limits: readonly SlotLimit[]): string {
  return limits
    .map((limit) => `${limit.id}\u0000${limit.slots}\u0000${limit.capacity}`)
    .sort()
    .join('\u0001');
}

type AcquireRound =
  | { kind: 'granted' }
  | { kind: 'full'; full: SlotLimit[] }
  /** What to change before the next round: `missing` counters to create, `existing` ones to update. */
  | { kind: 'retry'; held: Set<string>; missing: Set<string>; existing: Set<string> };
