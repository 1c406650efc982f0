import { z } from 'zod';
import type { AssetEventRecord } from '../../../core/model/records.ts';
import { stableIntegerId } from '../../../core/model/stable-ids.ts';
import type { AssetRecord } from '../../../core/ports/metastore.ts';
import { redact } from './redact.ts';

const instant = z.iso.datetime({ offset: true });

/** Airflow's AssetResponse. */
export const assetResponseSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  uri: z.string(),
  group: z.string(),
  extra: z.record(z.string(), z.unknown()).nullable(),
  created_at: instant,
  updated_at: instant,
  consuming_dags: z.array(z.object({ dag_id: z.string(), created_at: instant, updated_at: instant })),
  producing_tasks: z.array(z.object({ dag_id: z.string(), task_id: z.string(), created_at: instant, updated_at: instant })),
  aliases: z.array(z.object({ id: z.number().int(), name: z.string(), group: z.string() })),
  last_asset_event_id: z.number().int().nullable(),
  last_asset_event_timestamp: instant.nullable(),
});

export const assetCollectionSchema = z.object({ assets: z.array(assetResponseSchema), total_entries: z.number().int() });

/** Airflow's AssetEventResponse. */
export const assetEventResponseSchema = z.object({
  id: z.number().int(),
  asset_id: z.number().int(),
  uri: z.string().nullable(),
  name: z.string().nullable(),
  group: z.string().nullable(),
  extra: z.record(z.string(), z.unknown()).nullable(),
  source_task_id: z.string().nullable(),
  source_dag_id: z.string().nullable(),
  source_run_id: z.string().nullable(),
  source_map_index: z.number().int(),
  created_dagruns: z.array(z.unknown()),
  timestamp: instant,
});

export const assetEventCollectionSchema = z.object({ asset_events: z.array(assetEventResponseSchema), total_entries: z.number().int() });

export type AssetResponse = z.infer<typeof assetResponseSchema>;
export type AssetEventResponse = z.infer<typeof assetEventResponseSchema>;

/** An asset event's integer id, derived from its unique `eventId`. */
export const assetEventId = (eventId: string): number => stableIntegerId(`asset-event:${eventId}`);

/**
 * Serialized DAGs do not record schedules on assets or task outlets yet (issue #7), so `consuming_dags`
 * and `producing_tasks` are empty; Updraft has no asset aliases and no asset extra (null).
 */
export function assetResponse(asset: AssetRecord): AssetResponse {
  return {
    id: asset.assetId,
    name: asset.name,
    uri: asset.uri,
    group: asset.group,
    extra: null,
    created_at: asset.createdAt.toISOString(),
    updated_at: asset.createdAt.toISOString(),
    consuming_dags: [],
    producing_tasks: [],
    aliases: [],
    last_asset_event_id: asset.lastEventId === null ? null : assetEventId(asset.lastEventId),
    last_asset_event_timestamp: asset.lastEventTimestamp?.toISOString() ?? null,
  };
}

/**
 * `created_dagruns` is empty until asset-triggered runs exist (issue #7). An event posted from outside
 * has no source: its map index is -1, as in Airflow.
 */
export function assetEventResponse(event: AssetEventRecord, asset: Pick<AssetRecord, 'name' | 'group'> | null): AssetEventResponse {
  return {
    id: assetEventId(event.eventId),
    asset_id: stableIntegerId(event.assetUri),
    uri: event.assetUri,
    name: asset?.name ?? event.assetUri,
    group: asset?.group ?? 'asset',
    extra: redact(event.extra) as Record<string, unknown>,
    source_task_id: event.source?.taskId ?? null,
    source_dag_id: event.source?.dagId ?? null,
    source_run_id: event.source?.runId ?? null,
    source_map_index: event.source?.mapIndex ?? -1,
    created_dagruns: [],
    timestamp: event.timestamp.toISOString(),
  };
}
