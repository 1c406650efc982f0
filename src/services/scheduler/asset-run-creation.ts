import { ConflictError } from '../../core/errors.ts';
import type { AssetEventRecord, DagRecord, DagRunRecord, DagVersionRecord } from '../../core/model/records.ts';
import type { SerializedAssetCondition } from '../../core/model/serialized-dag.ts';
import type { AssetTriggerState, AssetTriggerStore } from '../../core/ports/asset-trigger-store.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import {
  assetConditionUris,
  evaluateAssetCondition,
  eventsInWindow,
  planAssetTriggeredRun,
  queuedAssetUris,
  runIdForWindow,
  TRIGGERING_ASSET_EVENTS_KEY,
  triggeringAssetEvents,
} from '../../core/scheduling/asset-triggers.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { describe } from './transition-applier.ts';

export interface AssetRunCreationDeps {
  metastore: Pick<Metastore, 'listAssets' | 'listAssetEvents' | 'createDagRun'>;
  assetTriggers: AssetTriggerStore;
  dagVersions: DagVersionCache;
  logger: Logger;
}

export interface AssetRunCreationResult {
  /** Runs this step wrote (or found written by a concurrent tick), queued. */
  runs: DagRunRecord[];
  createdCount: number;
  errors: number;
}

/**
 * The scheduler tick's asset step: creates `asset_triggered` runs of DAGs scheduled on assets (see
 * core/scheduling/asset-triggers.ts for the rule). Per DAG it first claims the run's window by moving the
 * DAG's `consumedThrough` with a conditional write (two schedulers cannot both claim it), then writes
 * the run, whose id derives from the window; a crash between the two leaves `pendingRun`, which the
 * next tick completes. Paused DAGs get no runs: their new events are skipped, as Airflow queues asset
 * updates only for DAGs that are not paused.
 */
export class AssetRunCreation {
  constructor(private readonly deps: AssetRunCreationDeps) {}

  async createRuns(dags: readonly DagRecord[], now: Date, concurrency: number): Promise<AssetRunCreationResult> {
    const result: AssetRunCreationResult = { runs: [], createdCount: 0, errors: 0 };
    const scheduled: { dag: DagRecord; version: DagVersionRecord; condition: SerializedAssetCondition }[] = [];
    await mapWithConcurrency(
      dags.filter((dag) => dag.isActive),
      concurrency,
      async (dag) => {
        try {
          const version = await this.deps.dagVersions.get(dag.dagId, dag.latestVersionId);
          const condition = version.serialized.assetCondition;
          if (condition) scheduled.push({ dag, version, condition });
        } catch (error) {
          result.errors += 1;
          this.deps.logger.error(`Could not read DAG "${dag.dagId}" to check its asset schedule: ${describe(error)}`, { dag_id: dag.dagId });
        }
      },
    );
    if (scheduled.length === 0) return result;
    const latestEventAt = new Map((await this.deps.metastore.listAssets()).map((asset) => [asset.uri, asset.lastEventTimestamp]));
    await mapWithConcurrency(scheduled, concurrency, async ({ dag, version, condition }) => {
      try {
        for (const created of await this.handleDag(dag, version, condition, latestEventAt, now)) {
          result.runs.push(created.run);
          if (created.isNew) result.createdCount += 1;
        }
      } catch (error) {
        result.errors += 1;
        this.deps.logger.error(`Could not create the asset-triggered runs of DAG "${dag.dagId}": ${describe(error)}`, { dag_id: dag.dagId });
      }
    });
    return result;
  }

  private async handleDag(
    dag: DagRecord,
    version: DagVersionRecord,
    condition: SerializedAssetCondition,
    latestEventAt: ReadonlyMap<string, Date | null>,
    now: Date,
  ): Promise<{ run: DagRunRecord; isNew: boolean }[]> {
    const store = this.deps.assetTriggers;
    // A DAG seen for the first time counts updates from when its schedule was deployed, not before.
    let state = (await store.getAssetTriggerState(dag.dagId)) ?? (await store.initAssetTriggerState(dag.dagId, version.createdAt));
    const written: { run: DagRunRecord; isNew: boolean }[] = [];
    if (state.pendingRun) {
      const { from, runAfter } = state.pendingRun;
      const consumed = eventsInWindow(condition, await this.eventsAfter(condition, from), from, runAfter);
      written.push(await this.writeRun(dag, runAfter, consumed, now));
      state = await this.clearPending(state);
    }

    const queued = queuedAssetUris(condition, latestEventAt, state.consumedThrough);
    if (queued.size === 0) return written;
    if (dag.isPaused) {
      const skipTo = new Date(Math.max(...[...queued].map((uri) => latestEventAt.get(uri)!.getTime())));
      await this.move(state, { consumedThrough: skipTo, pendingRun: null });
      this.deps.logger.info('Skipped asset updates of a paused DAG', { dag_id: dag.dagId, assets: [...queued], through: skipTo.toISOString() });
      return written;
    }
    if (!evaluateAssetCondition(condition, queued)) return written;

    const plan = planAssetTriggeredRun({ condition, events: await this.eventsAfter(condition, state.consumedThrough), consumedThrough: state.consumedThrough });
    if (!plan) return written;
    const claimed = await this.move(state, {
      consumedThrough: plan.runAfter,
      pendingRun: { from: state.consumedThrough, runAfter: plan.runAfter },
    });
    if (!claimed) return written;
    written.push(await this.writeRun(dag, plan.runAfter, plan.consumed, now));
    await this.clearPending(claimed);
    return written;
  }

  private async eventsAfter(condition: SerializedAssetCondition, after: Date): Promise<AssetEventRecord[]> {
    const lists = await Promise.all(assetConditionUris(condition).map((uri) => this.deps.metastore.listAssetEvents(uri, { after })));
    return lists.flat();
  }

  private async writeRun(dag: DagRecord, runAfter: Date, consumed: AssetEventRecord[], now: Date): Promise<{ run: DagRunRecord; isNew: boolean }> {
    const run: DagRunRecord = {
      dagId: dag.dagId,
      runId: runIdForWindow(runAfter),
      state: 'queued',
      runType: 'asset_triggered',
      // Airflow 3 gives asset-triggered runs no logical date or interval; Updraft's records need one, so
      // both are the instant of the latest consumed event.
      logicalDate: runAfter,
      dataInterval: { start: runAfter, end: runAfter },
      runAfter,
      versionId: dag.latestVersionId,
      conf: { [TRIGGERING_ASSET_EVENTS_KEY]: triggeringAssetEvents(consumed) },
      queuedAt: now,
      startDate: null,
      endDate: null,
      revision: 0,
    };
    const isNew = await this.deps.metastore.createDagRun(run);
    if (isNew) {
      this.deps.logger.info('Created asset-triggered DAG run', {
        dag_id: dag.dagId,
        run_id: run.runId,
        assets: [...new Set(consumed.map((event) => event.assetUri))],
        events: consumed.length,
      });
    }
    return { run, isNew };
  }

  /** The state after the move, or null when another scheduler moved it first (it does the work). */
  private async move(state: AssetTriggerState, changes: Pick<AssetTriggerState, 'consumedThrough' | 'pendingRun'>): Promise<AssetTriggerState | null> {
    try {
      return await this.deps.assetTriggers.updateAssetTriggerState(state.dagId, changes, state.revision);
    } catch (error) {
      if (error instanceof ConflictError) return null;
      throw error;
    }
  }

  private async clearPending(state: AssetTriggerState): Promise<AssetTriggerState> {
    const cleared = await this.move(state, { consumedThrough: state.consumedThrough, pendingRun: null });
    // Lost to another scheduler: it saw the same pending run and cleared it, or moved on.
    return cleared ?? (await this.deps.assetTriggers.getAssetTriggerState(state.dagId)) ?? state;
  }
}

/**
 * The tick's call: creates the due asset-triggered runs and adds them to the tick's runs by DAG, so they
 * start in this tick. Does nothing without an asset trigger store (a deployment wired before assets).
 */
export async function createAssetTriggeredRuns(
  deps: Omit<AssetRunCreationDeps, 'assetTriggers'> & { assetTriggers?: AssetTriggerStore },
  dags: readonly DagRecord[],
  runsByDag: Map<string, DagRunRecord[]>,
  now: Date,
  concurrency: number,
  report: { runsCreated: number; errors: number },
): Promise<void> {
  if (!deps.assetTriggers) return;
  let result: AssetRunCreationResult;
  try {
    result = await new AssetRunCreation({ ...deps, assetTriggers: deps.assetTriggers }).createRuns(dags, now, concurrency);
  } catch (error) {
    report.errors += 1;
    deps.logger.error(`Could not create asset-triggered runs: ${describe(error)}`);
    return;
  }
  report.runsCreated += result.createdCount;
  report.errors += result.errors;
  for (const run of result.runs) {
    const active = runsByDag.get(run.dagId) ?? [];
    if (!active.some((existing) => existing.runId === run.runId)) active.push(run);
    runsByDag.set(run.dagId, active);
  }
}
