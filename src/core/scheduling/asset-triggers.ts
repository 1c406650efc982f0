import { runIdFor } from '../model/keys.ts';
import type { AssetEventRecord } from '../model/records.ts';
import type { SerializedAssetCondition } from '../model/serialized-dag.ts';
import type { TriggeringAssetEvent } from '../../sdk/assets.ts';

export type { TriggeringAssetEvent };

/**
 * When a DAG scheduled on assets runs, as Airflow 3's scheduler decides it. Airflow keeps an
 * AssetDagRunQueue row per (asset, target DAG) for every asset updated since the DAG's last
 * asset-triggered run, and creates a run once the DAG's condition over the queued assets holds; that run
 * consumes every event of the DAG's assets since the previous one and the queue is emptied.
 *
 * Updraft keeps, per DAG, the instant through which events are consumed (`consumedThrough`): an asset
 * is "queued" for the DAG when it has an event later than that. A run's `runAfter` is the latest event
 * it consumes, which then becomes the new `consumedThrough`, so every event is consumed exactly once and
 * several updates before a run make one run. The run id derives from `runAfter`, so deciding twice
 * writes the same run.
 */

/** Every asset URI the condition names, once each, in the order they first appear. */
export function assetConditionUris(condition: SerializedAssetCondition): string[] {
  if (condition.kind === 'asset') return [condition.uri];
  return [...new Set(condition.of.flatMap(assetConditionUris))];
}

/** Whether the condition holds when the assets in `updated` have been updated (Airflow's AssetAll/AssetAny). */
export function evaluateAssetCondition(condition: SerializedAssetCondition, updated: ReadonlySet<string>): boolean {
  switch (condition.kind) {
    case 'asset':
      return updated.has(condition.uri);
    case 'all':
      return condition.of.every((member) => evaluateAssetCondition(member, updated));
    case 'any':
      return condition.of.some((member) => evaluateAssetCondition(member, updated));
  }
}

/**
 * The condition's assets that were updated after `consumedThrough`, judged from each asset's latest
 * event time (the asset registry): the twin of Airflow's queued rows for this DAG.
 */
export function queuedAssetUris(
  condition: SerializedAssetCondition,
  latestEventAt: ReadonlyMap<string, Date | null>,
  consumedThrough: Date,
): Set<string> {
  const queued = new Set<string>();
  for (const uri of assetConditionUris(condition)) {
    const latest = latestEventAt.get(uri);
    if (latest && latest.getTime() > consumedThrough.getTime()) queued.add(uri);
  }
  return queued;
}

export interface AssetTriggeredRunPlan {
  runId: string;
  /** The latest consumed event's time: the run's logical date and `runAfter`, and the new `consumedThrough`. */
  runAfter: Date;
  /** Oldest first (ties by event id). */
  consumed: AssetEventRecord[];
}

/**
 * The run that the given events make due, or null when the condition does not hold over them.
 * `events` are the events of the condition's assets; those at or before `consumedThrough` and of other
 * assets are ignored, so a caller may pass a superset.
 */
export function planAssetTriggeredRun(input: {
  condition: SerializedAssetCondition;
  events: readonly AssetEventRecord[];
  consumedThrough: Date;
}): AssetTriggeredRunPlan | null {
  const uris = new Set(assetConditionUris(input.condition));
  const fresh = input.events
    .filter((event) => uris.has(event.assetUri) && event.timestamp.getTime() > input.consumedThrough.getTime())
    .sort(byTimeThenId);
  if (!evaluateAssetCondition(input.condition, new Set(fresh.map((event) => event.assetUri)))) return null;
  const runAfter = fresh[fresh.length - 1]!.timestamp;
  return { runId: runIdForWindow(runAfter), runAfter, consumed: fresh };
}

/** An asset-triggered run's id: derived from its window's end, so deciding the same run twice writes one. */
export function runIdForWindow(runAfter: Date): string {
  return runIdFor('asset_triggered', runAfter);
}

/**
 * The events a run created for the window `(from, runAfter]` consumes: used when the run is created
 * again after a crash between claiming the window and writing the run.
 */
export function eventsInWindow(
  condition: SerializedAssetCondition,
  events: readonly AssetEventRecord[],
  from: Date,
  runAfter: Date,
): AssetEventRecord[] {
  const uris = new Set(assetConditionUris(condition));
  return events
    .filter((event) => uris.has(event.assetUri) && event.timestamp > from && event.timestamp <= runAfter)
    .sort(byTimeThenId);
}

/** Most events per asset a run's context carries, so a burst of uploads cannot outgrow the run record. */
export const MAX_TRIGGERING_EVENTS_PER_ASSET = 100;

/** The conf key under which an asset-triggered run carries its events (the context's `triggering_asset_events`). */
export const TRIGGERING_ASSET_EVENTS_KEY = 'triggering_asset_events';

/**
 * The run's `triggering_asset_events`: consumed events by asset URI, oldest first, keeping the latest
 * {@link MAX_TRIGGERING_EVENTS_PER_ASSET} of each asset.
 */
export function triggeringAssetEvents(consumed: readonly AssetEventRecord[]): Record<string, TriggeringAssetEvent[]> {
  const byUri: Record<string, TriggeringAssetEvent[]> = {};
  for (const event of [...consumed].sort(byTimeThenId)) {
    const list = (byUri[event.assetUri] ??= []);
    list.push({
      uri: event.assetUri,
      extra: event.extra,
      timestamp: event.timestamp.toISOString(),
      source_dag_id: event.source?.dagId ?? null,
      source_task_id: event.source?.taskId ?? null,
      source_run_id: event.source?.runId ?? null,
      source_map_index: event.source?.mapIndex ?? null,
    });
    if (list.length > MAX_TRIGGERING_EVENTS_PER_ASSET) list.shift();
  }
  return byUri;
}

function byTimeThenId(a: AssetEventRecord, b: AssetEventRecord): number {
  return a.timestamp.getTime() - b.timestamp.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
