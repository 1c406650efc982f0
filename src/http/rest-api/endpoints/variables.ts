import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import type { VariableRecord } from '../../../core/ports/metastore.ts';
import type { Endpoint } from '../endpoint.ts';
import { matchesPattern, pageQueryShape, sortAndPage, updateMask, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { storedVariableValue, variableCollectionSchema, variableResponse, variableResponseSchema } from '../serializers/variable.ts';

const PATH = `${REST_API_PREFIX}/variables`;
const ITEM_PATH = `${PATH}/{variable_key}`;

/** Airflow's VariableBody: `value` is any JSON; non-strings are stored as JSON text. */
const variableBody = z.strictObject({
  key: z.string().min(1).max(250),
  value: z.json(),
  description: z.string().nullable().optional(),
  team_name: z.null().optional(),
});
type VariableBody = z.infer<typeof variableBody>;

const SORT_FIELDS: SortFields<VariableRecord> = {
  key: (v) => v.key,
  id: (v) => v.key,
  _val: (v) => v.value,
  description: (v) => v.description,
  is_encrypted: () => false,
};

const notFound = (key: string) => new NotFoundError(`The Variable with key: \`${key}\` was not found. GET /api/v2/variables lists the variables that exist.`);

export const VARIABLE_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_variables',
    method: 'get',
    path: PATH,
    tag: 'Variable',
    summary: 'Get Variables',
    description:
      'All variables, paged. `variable_key_pattern` keeps keys that contain it (case-insensitive; `%` and `_` are wildcards). ' +
      'Values under sensitive key names (password, secret, token, api_key...) are shown as "***".',
    authorization: { kind: 'variable', method: 'GET' },
    query: z.object({ ...pageQueryShape, variable_key_pattern: z.string().optional() }),
    success: { status: 200, description: 'A page of variables.', schema: variableCollectionSchema },
    errors: [400],
    handle: async ({ c, deps, query }) => {
      const pattern = query.variable_key_pattern as string | undefined;
      const variables = (await deps.metastore.listVariables()).filter((v) => matchesPattern(v.key, pattern));
      const { page, total } = sortAndPage(variables, query as unknown as PageQuery, SORT_FIELDS, 'id');
      return c.json({ variables: page.map(variableResponse), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_variable',
    method: 'get',
    path: ITEM_PATH,
    tag: 'Variable',
    summary: 'Get Variable',
    description: 'One variable. A key with "/" in it is sent percent-encoded (%2F).',
    authorization: { kind: 'variable', method: 'GET', idParam: 'variable_key' },
    success: { status: 200, description: 'The variable.', schema: variableResponseSchema },
    errors: [404],
    handle: async ({ c, deps, params }) => {
      const key = params.variable_key!;
      const variable = await deps.metastore.getVariable(key);
      if (!variable) throw notFound(key);
      return c.json(variableResponse(variable), 200);
    },
  },
  {
    operationId: 'post_variable',
    method: 'post',
    path: PATH,
    tag: 'Variable',
    summary: 'Post Variable',
    description: 'Creates a variable; 409 when the key exists (PATCH changes an existing one).',
    authorization: { kind: 'variable', method: 'POST' },
    body: variableBody,
    success: { status: 201, description: 'The variable created.', schema: variableResponseSchema },
    errors: [409, 422],
    handle: async ({ c, deps, body }) => {
      const input = body as VariableBody;
      if (await deps.metastore.getVariable(input.key)) {
        throw new ConflictError(`The Variable with key: \`${input.key}\` already exists. Change it with PATCH /api/v2/variables/{variable_key}.`);
      }
      const variable: VariableRecord = { key: input.key, value: storedVariableValue(input.value), description: input.description ?? null };
      await deps.metastore.putVariable(variable);
      return c.json(variableResponse(variable), 201);
    },
  },
  {
    operationId: 'patch_variable',
    method: 'patch',
    path: ITEM_PATH,
    tag: 'Variable',
    summary: 'Patch Variable',
    description:
      'Updates a variable from a full variable body. `update_mask` (value, description) limits which fields change; ' +
      'the key in the body must be the key in the path.',
    authorization: { kind: 'variable', method: 'PUT', idParam: 'variable_key' },
    query: z.object({ update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: variableBody,
    success: { status: 200, description: 'The variable as updated.', schema: variableResponseSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, params, query, body }) => {
      const key = params.variable_key!;
      const input = body as VariableBody;
      if (input.key !== key) {
        throw new ValidationError(`Invalid body, key from request body ("${input.key}") doesn't match uri parameter ("${key}").`, 'key');
      }
      const existing = await deps.metastore.getVariable(key);
      if (!existing) throw notFound(key);
      const mask = updateMask(query.update_mask as string | string[] | undefined);
      const changes = (field: 'value' | 'description') => mask === undefined || mask.includes(field);
      const updated: VariableRecord = {
        key,
        value: changes('value') ? storedVariableValue(input.value) : existing.value,
        description: changes('description') ? (input.description ?? null) : existing.description,
      };
      await deps.metastore.putVariable(updated);
      return c.json(variableResponse(updated), 200);
    },
  },
  {
    operationId: 'delete_variable',
    method: 'delete',
    path: ITEM_PATH,
    tag: 'Variable',
    summary: 'Delete Variable',
    description: 'Deletes a variable.',
    authorization: { kind: 'variable', method: 'DELETE', idParam: 'variable_key' },
    success: { status: 204, description: 'Deleted.' },
    errors: [404],
    handle: async ({ c, deps, params }) => {
      const key = params.variable_key!;
      if (!(await deps.metastore.deleteVariable(key))) throw notFound(key);
      return c.body(null, 204);
    },
  },
];
