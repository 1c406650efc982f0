import { NotFoundError } from '../core/errors.ts';
import type { DagVersionRecord } from '../core/model/records.ts';
import type { DagStore } from '../core/ports/metastore.ts';
import { ImmutableReadCache } from './immutable-read-cache.ts';

/**
 * DAG versions are immutable, so each container reads a version once and keeps it. This keeps the
 * fast path (finish → schedule downstream) to the reads that can change.
 */
export class DagVersionCache {
  private readonly versions: ImmutableReadCache<DagVersionRecord>;

  constructor(
    private readonly store: Pick<DagStore, 'getDagVersion'>,
    maxEntries = 500,
  ) {
    this.versions = new ImmutableReadCache(maxEntries);
  }

  get(dagId: string, versionId: string): Promise<DagVersionRecord> {
    return this.versions.get(`${dagId}\u0000${versionId}`, async () => {
      const version = await this.store.getDagVersion(dagId, versionId);
      if (!version) {
        throw new NotFoundError(`DAG "${dagId}" has no version "${versionId}"; the DAG file may need to be parsed again.`);
      }
      return version;
    });
  }
}
