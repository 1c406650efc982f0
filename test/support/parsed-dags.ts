import type { SerializedDag } from '../../src/core/model/serialized-dag.ts';
import type { DagStore } from '../../src/core/ports/metastore.ts';

export interface SaveDagOptions {
  isPaused?: boolean;
  nextDagRunCreateAfter?: Date | null;
  /** Defaults to the serialized DAG's own. */
  maxActiveRuns?: number;
  /** Default: `v-<dagId>`. */
  versionId?: string;
  /** Default: `bundles/<versionId>.mjs` (a key no bundle is stored under). */
  bundleKey?: string;
}

/**
 * Stores a serialized DAG and its version (`v-<dagId>` unless given) as the DAG processor would, parsed
 * at `now`; answers the version id.
 */
export async function saveSerializedDag(
  metastore: Pick<DagStore, 'saveParsedDag'>,
  serialized: SerializedDag,
  now: Date,
  options: SaveDagOptions = {},
): Promise<string> {
  const versionId = options.versionId ?? `v-${serialized.dagId}`;
  await metastore.saveParsedDag({
    dag: {
      dagId: serialized.dagId,
      fileloc: serialized.fileloc,
      isActive: true,
      latestVersionId: versionId,
      description: serialized.description,
      tags: serialized.tags,
      scheduleDescription: serialized.scheduleDescription,
      maxActiveRuns: options.maxActiveRuns ?? serialized.maxActiveRuns,
      lastParsedAt: now,
    },
    version: { dagId: serialized.dagId, versionId, serialized, bundleKey: options.bundleKey ?? `bundles/${versionId}.mjs`, createdAt: now },
    pausedAtCreation: options.isPaused ?? false,
    nextDagRunCreateAfter: options.nextDagRunCreateAfter ?? null,
  });
  return versionId;
}
