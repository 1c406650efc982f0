import type { Clock } from '../../core/ports/clock.ts';

interface Entry {
  /** Resolves to the secret value, or null when the secret does not exist. */
  value: Promise<string | null>;
  expiresAt: number;
}

/**
 * Secret values by id, each until its time to live passes. A value being fetched is cached as its
 * promise, so concurrent readers of one secret share one call; a failed fetch is not kept.
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly notFoundTtlMs: number,
  ) {}

  get(secretId: string, fetch: () => Promise<string | null>): Promise<string | null> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(secretId);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = fetch();
    if (this.ttlMs <= 0) return value;
    // Until it settles, the entry lives for the longer TTL; settling sets the real expiry.
    const entry: Entry = { value, expiresAt: now + this.ttlMs };
    this.entries.set(secretId, entry);
    value.then(
      (result) => {
        const ttl = result === null ? this.notFoundTtlMs : this.ttlMs;
        entry.expiresAt = this.clock.now().getTime() + ttl;
      },
      () => {
        if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
      },
    );
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
