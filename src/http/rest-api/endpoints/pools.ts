import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import { DEFAULT_POOL_NAME, type PoolRecord, type PoolStore } from '../../../core/ports/pool-store.ts';
import { computePoolSlotUsage } from '../../../services/pools/pool-slot-usage.ts';
import type { Endpoint } from '../endpoint.ts';
import { matchesPattern, pageQueryShape, sortAndPage, updateMask, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { DEFAULT_POOL, poolCollectionSchema, poolResponse, poolResponseSchema } from '../serializers/pool.ts';

const PATH = `${REST_API_PREFIX}/pools`;
const ITEM_PATH = `${PATH}/{pool_name}`;

const slots = z.number().int().min(-1, 'slots must be -1 (unlimited) or more');

const poolBody = z.strictObject({
  name: z.string().min(1).max(256),
  slots,
  description: z.string().nullable().optional(),
  include_deferred: z.boolean().optional(),
  team_name: z.null().optional(),
});
type PoolBody = z.infer<typeof poolBody>;

/** Airflow's PoolPatchBody: every field optional; the name may be sent as `name` or `pool`. */
const poolPatchBody = z.strictObject({
  name: z.string().nullable().optional(),
  pool: z.string().nullable().optional(),
  slots: slots.nullable().optional(),
  description: z.string().nullable().optional(),
  include_deferred: z.boolean().nullable().optional(),
  team_name: z.null().optional(),
});
type PoolPatchBody = z.infer<typeof poolPatchBody>;

const PATCHABLE = ['slots', 'description', 'include_deferred'] as const;
type PatchableField = (typeof PATCHABLE)[number];
/** What Airflow lets anyone change on the default pool. */
const DEFAULT_POOL_PATCHABLE: ReadonlySet<string> = new Set(['slots', 'include_deferred']);

const SORT_FIELDS: SortFields<PoolRecord> = {
  id: (p) => (p.name === DEFAULT_POOL_NAME ? '' : p.name),
  pool: (p) => p.name,
  name: (p) => p.name,
};

const notFound = (name: string) => new NotFoundError(`The Pool with name: \`${name}\` was not found. GET /api/v2/pools lists the pools that exist.`);

/** A stored pool, or the default pool, which exists even before anyone stores it. */
async function findPool(pools: PoolStore, name: string): Promise<PoolRecord | null> {
  const stored = await pools.getPool(name);
  return stored ?? (name === DEFAULT_POOL_NAME ? DEFAULT_POOL : null);
}

export const POOL_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_pools',
    method: 'get',
    path: PATH,
    tag: 'Pool',
    summary: 'Get Pools',
    description:
      'All pools, paged, with the slots their task instances take now (counted from the task instances of active runs on each request). ' +
      '`pool_name_pattern` keeps names that contain it.',
    authorization: { kind: 'pool', method: 'GET' },
    query: z.object({ ...pageQueryShape, pool_name_pattern: z.string().optional() }),
    success: { status: 200, description: 'A page of pools.', schema: poolCollectionSchema },
    errors: [400, 404],
    handle: async ({ c, deps, query }) => {
      const stored = await deps.pools.listPools();
      const all = stored.some((p) => p.name === DEFAULT_POOL_NAME) ? stored : [DEFAULT_POOL, ...stored];
      const pattern = query.pool_name_pattern as string | undefined;
      const { page, total } = sortAndPage(all.filter((p) => matchesPattern(p.name, pattern)), query as unknown as PageQuery, SORT_FIELDS, 'id');
      const usage = page.length > 0 ? await computePoolSlotUsage(deps.metastore) : new Map();
      return c.json({ pools: page.map((p) => poolResponse(p, usage.get(p.name))), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_pool',
    method: 'get',
    path: ITEM_PATH,
    tag: 'Pool',
    summary: 'Get Pool',
    description: 'One pool with the slots its task instances take now.',
    authorization: { kind: 'pool', method: 'GET', idParam: 'pool_name' },
    success: { status: 200, description: 'The pool.', schema: poolResponseSchema },
    errors: [404],
    handle: async ({ c, deps, params }) => {
      const name = params.pool_name!;
      const pool = await findPool(deps.pools, name);
      if (!pool) throw notFound(name);
      const usage = await computePoolSlotUsage(deps.metastore);
      return c.json(poolResponse(pool, usage.get(name)), 200);
    },
  },
  {
    operationId: 'post_pool',
    method: 'post',
    path: PATH,
    tag: 'Pool',
    summary: 'Post Pool',
    description: 'Creates a pool; 409 when one with that name exists (default_pool always does).',
    authorization: { kind: 'pool', method: 'POST' },
    body: poolBody,
    success: { status: 201, description: 'The pool created.', schema: poolResponseSchema },
    errors: [409, 422],
    handle: async ({ c, deps, body }) => {
      const input = body as PoolBody;
      if (await findPool(deps.pools, input.name)) {
        throw new ConflictError(`The Pool with name: \`${input.name}\` already exists. Change it with PATCH /api/v2/pools/{pool_name}.`);
      }
      const pool: PoolRecord = {
        name: input.name,
        slots: input.slots,
        description: input.description ?? null,
        includeDeferred: input.include_deferred ?? false,
      };
      await deps.pools.putPool(pool);
      return c.json(poolResponse(pool), 201);
    },
  },
  {
    operationId: 'patch_pool',
    method: 'patch',
    path: ITEM_PATH,
    tag: 'Pool',
    summary: 'Patch Pool',
    description:
      'Changes the fields the body sets (or those `update_mask` names). A pool cannot be renamed; on default_pool only `slots` and ' +
      '`include_deferred` can change.',
    authorization: { kind: 'pool', method: 'PUT', idParam: 'pool_name' },
    query: z.object({ update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: poolPatchBody,
    success: { status: 200, description: 'The pool as updated.', schema: poolResponseSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, params, query, body }) => {
      const name = params.pool_name!;
      const input = body as PoolPatchBody;
      const bodyName = input.name ?? input.pool;
      if (bodyName && bodyName !== name) {
        throw new ValidationError(`Invalid body, pool name from request body ("${bodyName}") doesn't match uri parameter ("${name}"). Pools cannot be renamed.`, 'name');
      }
      const existing = await findPool(deps.pools, name);
      if (!existing) throw notFound(name);
      const mask = updateMask(query.update_mask as string | string[] | undefined)?.filter((field) => field !== 'name' && field !== 'pool');
      const unknownFields = (mask ?? []).filter((field) => !(PATCHABLE as readonly string[]).includes(field));
      if (unknownFields.length > 0) {
        throw new ValidationError(`update_mask names fields that cannot be updated: ${unknownFields.join(', ')}. Use: ${PATCHABLE.join(', ')}.`, 'update_mask');
      }
      const fields: PatchableField[] = (mask as PatchableField[] | undefined) ?? PATCHABLE.filter((field) => input[field] !== undefined);
      if (name === DEFAULT_POOL_NAME && fields.some((field) => !DEFAULT_POOL_PATCHABLE.has(field))) {
        throw new ValidationError('Only slots and include_deferred can be modified on Default Pool.', 'update_mask');
      }
      if (fields.includes('slots') && (input.slots === undefined || input.slots === null)) {
        throw new ValidationError('slots cannot be null: give a whole number, or -1 for unlimited.', 'slots');
      }
      const updated: PoolRecord = {
        name,
        slots: fields.includes('slots') ? (input.slots as number) : existing.slots,
        description: fields.includes('description') ? (input.description ?? null) : existing.description,
        includeDeferred: fields.includes('include_deferred') ? (input.include_deferred ?? false) : existing.includeDeferred,
      };
      await deps.pools.putPool(updated);
      const usage = await computePoolSlotUsage(deps.metastore);
      return c.json(poolResponse(updated, usage.get(name)), 200);
    },
  },
  {
    operationId: 'delete_pool',
    method: 'delete',
    path: ITEM_PATH,
    tag: 'Pool',
    summary: 'Delete Pool',
    description: "Deletes a pool. default_pool can't be deleted (400).",
    authorization: { kind: 'pool', method: 'DELETE', idParam: 'pool_name' },
    success: { status: 204, description: 'Deleted.' },
    errors: [400, 404],
    handle: async ({ c, deps, params }) => {
      const name = params.pool_name!;
      if (name === DEFAULT_POOL_NAME) {
        throw new ValidationError("Default Pool can't be deleted. Lower its slots with PATCH /api/v2/pools/default_pool instead.");
      }
      if (!(await deps.pools.deletePool(name))) throw notFound(name);
      return c.body(null, 204);
    },
  },
];
