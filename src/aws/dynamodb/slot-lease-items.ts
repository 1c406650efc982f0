import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { SlotLeaseView, SlotLimit, SlotLimitKind } from '../../core/scheduling/concurrency-limits.ts';
import type { Item } from './item-codec.ts';
import { ATTR, type TableKey } from './keys.ts';

/**
 * The items of one limited resource, all in its partition `LIMIT#<limitId>` (docs/data-model.md):
 * - `COUNTER`: `taken` and `version`, a few hundred bytes however many leases there are, so an acquire
 *   or release costs the same small write on a full pool as on an empty one;
 * - `LEASE#<holder>`: one per attempt holding slots, written and deleted in the same transaction as
 *   the counter, so `taken` always equals the sum of the leases;
 * - `REGISTRY`: the only item in the lists index. It is written when the counter is created and never
 *   updated after, so the index's single `SLOT_LIMITS` partition takes no write per task start.
 */

/** Partition of the lists index that holds one registry item per limit, for the scheduler's reconcile. */
export const SLOT_LIMITS_LIST = 'SLOT_LIMITS';
export const COUNTER_SK = 'COUNTER';
export const REGISTRY_SK = 'REGISTRY';
export const LEASE_SK_PREFIX = 'LEASE#';

const COUNTER_TYPE = 'SLOT_COUNTER';
const LEASE_TYPE = 'SLOT_LEASE';
const REGISTRY_TYPE = 'SLOT_LIMIT';

export const slotLimitPartition = (limitId: string): string => `LIMIT#${limitId}`;
export const counterKey = (limitId: string): TableKey => ({ pk: slotLimitPartition(limitId), sk: COUNTER_SK });
export const registryKey = (limitId: string): TableKey => ({ pk: slotLimitPartition(limitId), sk: REGISTRY_SK });

/**
 * Names the attempt: dag and task ids cannot contain `/` (nor `#`), so the name is unambiguous even
 * when a run id contains `/`.
 */
export const holderName = (holder: TaskAttemptKey): string =>
  `${holder.dagId}/${holder.runId}/${holder.taskId}/${holder.mapIndex}/${holder.tryNumber}`;

export const leaseKey = (limitId: string, holder: TaskAttemptKey): TableKey => ({
  pk: slotLimitPartition(limitId),
  sk: `${LEASE_SK_PREFIX}${holderName(holder)}`,
});

export function leaseItem(limit: SlotLimit, holder: TaskAttemptKey, now: Date): Item {
  return {
    ...leaseKey(limit.id, holder),
    [ATTR.type]: LEASE_TYPE,
    limitId: limit.id,
    dagId: holder.dagId,
    runId: holder.runId,
    taskId: holder.taskId,
    mapIndex: holder.mapIndex,
    tryNumber: holder.tryNumber,
    slots: limit.slots,
    acquiredAt: now.toISOString(),
    heldWhileDeferred: limit.heldWhileDeferred,
  };
}

export function registryItem(limit: Pick<SlotLimit, 'id' | 'kind'>): Item {
  return {
    ...registryKey(limit.id),
    [ATTR.type]: REGISTRY_TYPE,
    [ATTR.listPk]: SLOT_LIMITS_LIST,
    [ATTR.listSk]: limit.id,
    limitId: limit.id,
    kind: limit.kind,
  };
}

/** The counter's update on acquire: `create` for a counter that does not exist yet. */
export function counterAcquireUpdate(tableName: string, limit: SlotLimit, create: boolean) {
  return {
    TableName: tableName,
    Key: counterKey(limit.id),
    UpdateExpression: 'SET #type = :type, #limitId = :limitId, #kind = :kind, #capacity = :capacity ADD #taken :slots, #version :one',
    ConditionExpression: create ? 'attribute_not_exists(#taken)' : 'attribute_exists(#taken) AND #taken <= :room',
    ExpressionAttributeNames: {
      '#type': ATTR.type,
      '#limitId': 'limitId',
      '#kind': 'kind',
      '#capacity': 'capacity',
      '#taken': 'taken',
      '#version': 'version',
    },
    ExpressionAttributeValues: {
      ':type': COUNTER_TYPE,
      ':limitId': limit.id,
      ':kind': limit.kind,
      ':capacity': limit.capacity,
      ':slots': limit.slots,
      ':one': 1,
      ...(create ? {} : { ':room': limit.capacity - limit.slots }),
    },
  };
}

export interface StoredCounter {
  kind: SlotLimitKind;
  capacity: number;
  taken: number;
  /** Moves on with every write, so a repair can tell that nothing changed since it read. */
  version: number;
}

/** One limit's partition as read: its counter (null when there is none) and its leases. */
export interface LimitPartition {
  limitId: string;
  counter: StoredCounter | null;
  registered: boolean;
  leases: SlotLeaseView[];
}

export function decodePartition(limitId: string, items: readonly Item[]): LimitPartition {
  const partition: LimitPartition = { limitId, counter: null, registered: false, leases: [] };
  for (const item of items) {
    const sk = String(item[ATTR.sk]);
    if (sk === COUNTER_SK) partition.counter = decodeCounter(item);
    else if (sk === REGISTRY_SK) partition.registered = true;
    else if (sk.startsWith(LEASE_SK_PREFIX)) partition.leases.push(decodeLease(limitId, item));
  }
  return partition;
}

export const leasedSlots = (partition: Pick<LimitPartition, 'leases'>): number =>
  partition.leases.reduce((sum, lease) => sum + lease.slots, 0);

function decodeCounter(item: Item): StoredCounter {
  return {
    kind: item.kind as SlotLimitKind,
    capacity: Number(item.capacity ?? 0),
    taken: Number(item.taken ?? 0),
    version: Number(item.version ?? 0),
  };
}

function decodeLease(limitId: string, item: Item): SlotLeaseView {
  return {
    limitId,
    holder: {
      dagId: String(item.dagId),
      runId: String(item.runId),
      taskId: String(item.taskId),
      mapIndex: Number(item.mapIndex),
      tryNumber: Number(item.tryNumber),
    },
    slots: Number(item.slots),
    acquiredAt: new Date(String(item.acquiredAt)),
    heldWhileDeferred: item.heldWhileDeferred === true,
  };
}
