import type { Clock } from '../../core/ports/clock.ts';
import type { PoolRecord, PoolStore } from '../../core/ports/pool-store.ts';

/** How long a process trusts a pool record it read: a changed pool takes effect within this. */
export const POOL_CACHE_SECONDS = 10;

/**
 * Pool records for the queueing hot path: read once per pool every few seconds per process, so
 * queueing a task costs no pool read. Concurrent readers of one pool share a single read.
 */
export class PoolCache {
  private readonly entries = new Map<string, { readAt: number; record: Promise<PoolRecord | null> }>();

  constructor(
    private readonly pools: PoolStore,
    private readonly clock: Clock,
    private readonly ttlSeconds = POOL_CACHE_SECONDS,
  ) {}

  /** The stored record, or null when no pool of that name is stored. */
  get(name: string): Promise<PoolRecord | null> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(name);
    if (cached && now - cached.readAt < this.ttlSeconds * 1000) return cached.record;
    const record = this.pools.getPool(name);
    this.entries.set(name, { readAt: now, record });
    // A failed read is not remembered: the next caller reads again.
    record.catch(() => {
      if (this.entries.get(name)?.record === record) this.entries.delete(name);
    });
    return record;
  }
}
