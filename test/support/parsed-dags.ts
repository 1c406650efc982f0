import type { SerializedDag } from '../../src/core/model/serialized-dag.ts';
import type { DagStore } from '../../src/core/ports/metastore.ts';

export interface SaveDagOptions {
  isPaused?: boolean;
  nextDagRunCreateAfter?: Date | null;
  /** Defaults to the serialized DAG's own. */
  maxActiveRuns?: number;
}

/**
 * Stores a hand-built serialized DAG and its version (`v-<dagId>`) as the DAG processor would, parsed
 * at `now`; answers the version id.
 */
export async function saveSerializedDag(
  metastore: Pick<DagStore, 'saveParsedDag'>,
  serialized: SerializedDag,
  now: Date,
  options: SaveDagOptions = {},
): Promise<string> {
  const versionId = `v-${serialized.dagId}`;
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
    version: { dagId: serialized.dagId, versionId, serialized, bundleKey: `bundles/${versionId}.mjs`, createdAt: now },
    pausedAtCreation: options.isPaused ?? false,
    nextDagRunCreateAfter: options.nextDagRunCreateAfter ?? null,
  });
  return versionId;
}
