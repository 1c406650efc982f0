import { NotFoundError } from '../core/errors.ts';
import type { DagVersionRecord } from '../core/model/records.ts';
import type { DagStore } from '../core/ports/metastore.ts';

/**
 * DAG versions are immutable, so each container reads a version once and keeps it. This keeps the
 * fast path (finish → schedule downstream) to the reads that can change.
 */
export class DagVersionCache {
  private readonly versions = new Map<string, Promise<DagVersionRecord>>();

  constructor(
    private readonly store: Pick<DagStore, 'getDagVersion'>,
    private readonly maxEntries = 500,
  ) {}

  get(dagId: string, versionId: string): Promise<DagVersionRecord> {
    const cacheKey = `${dagId}\u0000${versionId}`;
    let pending = this.versions.get(cacheKey);
    if (!pending) {
      pending = this.store.getDagVersion(dagId, versionId).then((version) => {
        if (!version) {
          throw new NotFoundError(`DAG "${dagId}" has no version "${versionId}"; the DAG file may need to be parsed again.`);
        }
        return version;
      });
      // A failed read must not stick: the next caller tries again.
      pending.catch(() => this.versions.delete(cacheKey));
      if (this.versions.size >= this.maxEntries) {
        const oldest = this.versions.keys().next().value;
        if (oldest !== undefined) this.versions.delete(oldest);
      }
      this.versions.set(cacheKey, pending);
    }
    return pending;
  }
}
