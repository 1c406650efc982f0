import { z } from 'zod';
import { DEFAULT_POOL_NAME, type PoolRecord } from '../../../core/ports/pool-store.ts';
import { emptyPoolSlotUsage, type PoolSlotUsage } from '../../../services/pools/pool-slot-usage.ts';

/** Airflow's PoolResponse; slot counts are -1 for "unlimited" where Airflow says so. */
export const poolResponseSchema = z.object({
  name: z.string(),
  slots: z.number().int(),
  description: z.string().nullable(),
  include_deferred: z.boolean(),
  occupied_slots: z.number().int(),
  running_slots: z.number().int(),
  queued_slots: z.number().int(),
  scheduled_slots: z.number().int(),
  open_slots: z.number().int(),
  deferred_slots: z.number().int(),
  team_name: z.string().nullable(),
});

export const poolCollectionSchema = z.object({
  pools: z.array(poolResponseSchema),
  total_entries: z.number().int(),
});

export type PoolResponse = z.infer<typeof poolResponseSchema>;

/** Airflow creates `default_pool` with 128 slots; Updraft answers with it until someone changes it. */
export const DEFAULT_POOL: PoolRecord = { name: DEFAULT_POOL_NAME, slots: 128, description: 'Default pool', includeDeferred: false };

/** Airflow's counts: occupied = running + queued (+ deferred when the pool includes deferred); -1 slots is unlimited. */
export function poolResponse(pool: PoolRecord, usage: PoolSlotUsage = emptyPoolSlotUsage()): PoolResponse {
  const occupied = usage.running + usage.queued + (pool.includeDeferred ? usage.deferred : 0);
  return {
    name: pool.name,
    slots: pool.slots,
    description: pool.description,
    include_deferred: pool.includeDeferred,
    occupied_slots: occupied,
    running_slots: usage.running,
    queued_slots: usage.queued,
    scheduled_slots: usage.scheduled,
    open_slots: pool.slots === -1 ? -1 : pool.slots - occupied,
    deferred_slots: usage.deferred,
    team_name: null,
  };
}
