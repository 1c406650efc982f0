/**
 * Keeps reads of records that never change once written (DAG versions, a run's creation facts), one
 * promise per key, so concurrent callers share one read. A failed or empty read is not kept: the next
 * caller reads again. The oldest entry goes first when the cache is full.
 */
export class ImmutableReadCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, read: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    let pending = this.entries.get(key);
    if (!pending) {
      pending = read();
      const forget = () => {
        if (this.entries.get(key) === pending) this.entries.delete(key);
      };
      pending.then((value) => (keep(value) ? undefined : forget()), forget);
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, pending);
    }
    return pending;
  }
}
