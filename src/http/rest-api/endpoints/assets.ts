import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import type { AssetEventRecord } from '../../../core/model/records.ts';
import { stableIntegerId } from '../../../core/model/stable-ids.ts';
import type { AssetRecord } from '../../../core/ports/metastore.ts';
import type { Endpoint } from '../endpoint.ts';
import { matchesPattern, pageQueryShape, sortAndPage, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import {
  assetCollectionSchema,
  assetEventCollectionSchema,
  assetEventId,
  assetEventResponse,
  assetEventResponseSchema,
  assetResponse,
  assetResponseSchema,
} from '../serializers/asset.ts';

const PATH = `${REST_API_PREFIX}/assets`;
const EVENTS_PATH = `${PATH}/events`;

const integer = z.coerce.number().int();
const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

const ASSET_SORT: SortFields<AssetRecord> = {
  id: (a) => a.assetId,
  name: (a) => a.name,
  uri: (a) => a.uri,
  created_at: (a) => a.createdAt,
  updated_at: (a) => a.createdAt,
};

const EVENT_SORT: SortFields<AssetEventRecord> = {
  id: (e) => assetEventId(e.eventId),
  source_task_id: (e) => e.source?.taskId ?? null,
  source_dag_id: (e) => e.source?.dagId ?? null,
  source_run_id: (e) => e.source?.runId ?? null,
  source_map_index: (e) => e.source?.mapIndex ?? -1,
  timestamp: (e) => e.timestamp,
};

/**
 * Airflow's CreateAssetEventsBody (`asset_id`, `extra`). Updraft also takes `uri` instead of `asset_id`:
 * assets are registered by their first event, so an asset no task has produced yet can only be named by URI.
 */
const createAssetEventBody = z
  .strictObject({
    asset_id: z.number().int().optional(),
    uri: z.string().min(1).optional(),
    extra: z.record(z.string(), z.json()).optional(),
  })
  .refine((body) => (body.asset_id === undefined) !== (body.uri === undefined), {
    message: 'Give exactly one of asset_id (a known asset) or uri (any asset, registered on its first event).',
    path: ['asset_id'],
  });
type CreateAssetEventBody = z.infer<typeof createAssetEventBody>;

const assetNotFound = (id: number) => new NotFoundError(`The Asset with ID: \`${id}\` was not found. GET /api/v2/assets lists the known assets.`);

function invalidAssetId(c: Context, raw: string) {
  return c.json({ detail: [{ type: 'int_parsing', loc: ['path', 'asset_id'], msg: 'Input should be a valid integer', input: raw }] }, 422);
}

export const ASSET_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_asset_events',
    method: 'get',
    path: EVENTS_PATH,
    tag: 'Asset',
    summary: 'Get Asset Events',
    description: 'Asset events, paged (oldest first unless `order_by` says otherwise), filtered by asset, source and time range.',
    authorization: { kind: 'asset', method: 'GET' },
    query: z.object({
      ...pageQueryShape,
      asset_id: integer.optional(),
      source_dag_id: z.string().optional(),
      source_task_id: z.string().optional(),
      source_run_id: z.string().optional(),
      source_map_index: integer.optional(),
      name_pattern: z.string().optional(),
      timestamp_gte: instant.optional(),
      timestamp_lte: instant.optional(),
    }),
    success: { status: 200, description: 'A page of asset events.', schema: assetEventCollectionSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, query }) => {
      const q = query as unknown as PageQuery & {
        asset_id?: number;
        source_dag_id?: string;
        source_task_id?: string;
        source_run_id?: string;
        source_map_index?: number;
        name_pattern?: string;
        timestamp_gte?: Date;
        timestamp_lte?: Date;
      };
      const assets = new Map((await deps.metastore.listAssets()).map((asset) => [asset.uri, asset]));
      let events: AssetEventRecord[];
      if (q.asset_id !== undefined) {
        const asset = [...assets.values()].find((a) => a.assetId === q.asset_id);
        events = asset ? await deps.metastore.listAssetEvents(asset.uri) : [];
        events = events.filter((e) => (!q.timestamp_gte || e.timestamp >= q.timestamp_gte) && (!q.timestamp_lte || e.timestamp <= q.timestamp_lte));
      } else {
        events = await deps.metastore.listAllAssetEvents({ from: q.timestamp_gte, to: q.timestamp_lte });
      }
      const matching = events.filter(
        (e) =>
          (q.source_dag_id === undefined || e.source?.dagId === q.source_dag_id) &&
          (q.source_task_id === undefined || e.source?.taskId === q.source_task_id) &&
          (q.source_run_id === undefined || e.source?.runId === q.source_run_id) &&
          (q.source_map_index === undefined || (e.source?.mapIndex ?? -1) === q.source_map_index) &&
          matchesPattern(assets.get(e.assetUri)?.name ?? e.assetUri, q.name_pattern),
      );
      const { page, total } = sortAndPage(matching, q, EVENT_SORT, 'timestamp');
      return c.json({ asset_events: page.map((e) => assetEventResponse(e, assets.get(e.assetUri) ?? null)), total_entries: total }, 200);
    },
  },
  {
    operationId: 'create_asset_event',
    method: 'post',
    path: EVENTS_PATH,
    tag: 'Asset',
    summary: 'Create Asset Event',
    description:
      'Records that an asset was updated outside Updraft. `extra` gets `from_rest_api: true`, as in Airflow. Name the asset by ' +
      '`asset_id` (404 when unknown) or, as an Updraft extension, by `uri` (registers the asset if it is new).',
    authorization: { kind: 'asset', method: 'POST' },
    body: createAssetEventBody,
    success: { status: 200, description: 'The event recorded.', schema: assetEventResponseSchema },
    errors: [404, 422],
    handle: async ({ c, deps, body }) => {
      const input = body as CreateAssetEventBody;
      let asset: AssetRecord | null = null;
      if (input.asset_id !== undefined) {
        asset = await deps.metastore.getAsset(input.asset_id);
        if (!asset) throw assetNotFound(input.asset_id);
      }
      const uri = asset?.uri ?? (input.uri as string);
      if (uri.trim() === '') throw new ValidationError('The asset uri must not be blank.', 'uri');
      const timestamp = deps.clock.now();
      const event: AssetEventRecord = {
        assetUri: uri,
        extra: { ...(input.extra ?? {}), from_rest_api: true },
        timestamp,
        source: null,
        eventId: `rest-api/${timestamp.toISOString()}/${randomUUID()}`,
      };
      await deps.metastore.recordAssetEvents([event]);
      asset ??= await deps.metastore.getAsset(stableIntegerId(uri));
      return c.json(assetEventResponse(event, asset), 200);
    },
  },
  {
    operationId: 'get_assets',
    method: 'get',
    path: PATH,
    tag: 'Asset',
    summary: 'Get Assets',
    description:
      'Known assets, paged. An asset is known from its first event. `id` is derived from the URI (stable across deployments). ' +
      '`dag_ids` filters by DAGs that consume or produce the asset, which Updraft does not record yet: with it, the list is empty.',
    authorization: { kind: 'asset', method: 'GET' },
    query: z.object({
      ...pageQueryShape,
      name_pattern: z.string().optional(),
      uri_pattern: z.string().optional(),
      dag_ids: z.union([z.string(), z.array(z.string())]).optional(),
      only_active: z.enum(['true', 'false']).optional(),
    }),
    success: { status: 200, description: 'A page of assets.', schema: assetCollectionSchema },
    errors: [400],
    handle: async ({ c, deps, query }) => {
      const q = query as unknown as PageQuery & { name_pattern?: string; uri_pattern?: string; dag_ids?: string | string[] };
      const assets =
        q.dag_ids === undefined
          ? (await deps.metastore.listAssets()).filter((a) => matchesPattern(a.name, q.name_pattern) && matchesPattern(a.uri, q.uri_pattern))
          : [];
      const { page, total } = sortAndPage(assets, q, ASSET_SORT, 'id');
      return c.json({ assets: page.map(assetResponse), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_asset',
    method: 'get',
    path: `${PATH}/{asset_id}`,
    tag: 'Asset',
    summary: 'Get Asset',
    description: 'One asset by its id.',
    authorization: { kind: 'asset', method: 'GET', idParam: 'asset_id' },
    success: { status: 200, description: 'The asset.', schema: assetResponseSchema },
    errors: [404, 422],
    handle: async ({ c, deps, params }) => {
      const raw = params.asset_id!;
      if (!/^\d+$/.test(raw)) return invalidAssetId(c, raw);
      const asset = await deps.metastore.getAsset(Number(raw));
      if (!asset) throw assetNotFound(Number(raw));
      return c.json(assetResponse(asset), 200);
    },
  },
];
