import { dagRunMapKey, type DagRunKey } from '../core/model/keys.ts';
import type { DagRunRecord } from '../core/model/records.ts';
import type { DagRunStore } from '../core/ports/metastore.ts';
import { ImmutableReadCache } from './immutable-read-cache.ts';

/** What a run is from its creation on: never its state, which changes. */
export type RunFacts = Pick<
  DagRunRecord,
  'dagId' | 'runId' | 'versionId' | 'runType' | 'logicalDate' | 'dataInterval' | 'runAfter' | 'conf' | 'queuedAt'
>;

/**
 * A run's facts are fixed when it is created, so the hot path (every task start and finish) reads
 * them once per process instead of once per task.
 */
export class RunFactsCache {
  private readonly runs: ImmutableReadCache<RunFacts | null>;

  constructor(
    private readonly store: Pick<DagRunStore, 'getDagRun'>,
    maxEntries = 2000,
  ) {
    this.runs = new ImmutableReadCache(maxEntries);
  }

  /** null when the run does not exist (that answer is not kept). */
  get(run: DagRunKey): Promise<RunFacts | null> {
    return this.runs.get(
      dagRunMapKey(run),
      async () => {
        const record = await this.store.getDagRun(run);
        if (!record) return null;
        const { dagId, runId, versionId, runType, logicalDate, dataInterval, runAfter, conf, queuedAt } = record;
        return { dagId, runId, versionId, runType, logicalDate, dataInterval, runAfter, conf, queuedAt };
      },
      (facts) => facts !== null,
    );
  }
}
