import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import { normalizeConnType, type Connection } from '../../../core/model/connection.ts';
import type { Endpoint } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { matchesPattern, pageQueryShape, sortAndPage, updateMask, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { connectionCollectionSchema, connectionResponse, connectionResponseSchema, restoreRedacted } from '../serializers/connection.ts';

const PATH = `${REST_API_PREFIX}/connections`;
const ITEM_PATH = `${PATH}/{connection_id}`;

/** Airflow's ConnectionBody; `extra` is JSON text holding an object ("" means none). */
const connectionBody = z.strictObject({
  connection_id: z.string().max(200).regex(/^[\w.-]+$/, 'connection_id may hold only letters, digits, "_", "." and "-"'),
  conn_type: z.string().min(1),
  description: z.string().nullable().optional(),
  host: z.string().nullable().optional(),
  login: z.string().nullable().optional(),
  schema: z.string().nullable().optional(),
  port: z.number().int().nullable().optional(),
  password: z.string().nullable().optional(),
  extra: z
    .string()
    .nullable()
    .optional()
    .refine((text) => {
      if (text === null || text === undefined || text === '') return true;
      try {
        const value: unknown = JSON.parse(text);
        return value !== null && typeof value === 'object' && !Array.isArray(value);
      } catch {
        return false;
      }
    }, 'The `extra` field must be a valid JSON object (e.g., {"key": "value"})'),
  team_name: z.null().optional(),
});
type ConnectionBody = z.infer<typeof connectionBody>;

const UPDATABLE = ['conn_type', 'description', 'host', 'login', 'schema', 'port', 'password', 'extra'] as const;

const SORT_FIELDS: SortFields<Connection> = {
  connection_id: (c) => c.connId,
  conn_id: (c) => c.connId,
  id: (c) => c.connId,
  conn_type: (c) => c.connType,
  description: () => null,
  host: (c) => c.host,
  port: (c) => c.port,
};

const notFound = (id: string) =>
  new NotFoundError(`The Connection with connection_id: \`${id}\` was not found. GET /api/v2/connections lists the connections that exist.`);

const emptyToNull = (value: string | null | undefined): string | null => (value === undefined || value === '' ? null : value);

function parseExtra(text: string | null | undefined): Record<string, unknown> {
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function connectionFromBody(body: ConnectionBody): Connection {
  return {
    connId: body.connection_id,
    connType: normalizeConnType(body.conn_type),
    host: emptyToNull(body.host),
    login: emptyToNull(body.login),
    password: emptyToNull(body.password),
    schema: emptyToNull(body.schema),
    port: body.port ?? null,
    extra: parseExtra(body.extra),
  };
}

export const CONNECTION_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_connections',
    method: 'get',
    path: PATH,
    tag: 'Connection',
    summary: 'Get Connections',
    description:
      'All connections stored in the metastore, paged (connections that come from Secrets Manager or the environment are not listed). ' +
      'Passwords read "***"; sensitive keys of `extra` too.',
    authorization: { kind: 'connection', method: 'GET' },
    query: z.object({ ...pageQueryShape, connection_id_pattern: z.string().optional() }),
    success: { status: 200, description: 'A page of connections.', schema: connectionCollectionSchema },
    errors: [400],
    handle: async ({ c, deps, query }) => {
      const pattern = query.connection_id_pattern as string | undefined;
      const connections = (await deps.metastore.listConnections()).filter((conn) => matchesPattern(conn.connId, pattern));
      const { page, total } = sortAndPage(connections, query as unknown as PageQuery, SORT_FIELDS, 'id');
      return c.json({ connections: page.map(connectionResponse), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_connection',
    method: 'get',
    path: ITEM_PATH,
    tag: 'Connection',
    summary: 'Get Connection',
    description: 'One connection stored in the metastore; the password reads "***".',
    authorization: { kind: 'connection', method: 'GET', idParam: 'connection_id' },
    success: { status: 200, description: 'The connection.', schema: connectionResponseSchema },
    errors: [404],
    handle: async ({ c, deps, params }) => {
      const id = params.connection_id!;
      const connection = await deps.metastore.getConnection(id);
      if (!connection) throw notFound(id);
      return c.json(connectionResponse(connection), 200);
    },
  },
  {
    operationId: 'post_connection',
    method: 'post',
    path: PATH,
    tag: 'Connection',
    summary: 'Post Connection',
    description: 'Creates a connection in the metastore; 409 when the id exists. `description` is accepted but not stored.',
    authorization: { kind: 'connection', method: 'POST' },
    body: connectionBody,
    success: { status: 201, description: 'The connection created.', schema: connectionResponseSchema },
    errors: [400, 409, 422],
    handle: async ({ c, deps, body }) => {
      const input = body as ConnectionBody;
      if (await deps.metastore.getConnection(input.connection_id)) {
        throw new ConflictError(
          `The Connection with connection_id: \`${input.connection_id}\` already exists. Change it with PATCH /api/v2/connections/{connection_id}.`,
        );
      }
      const connection = connectionFromBody(input);
      await deps.metastore.putConnection(connection);
      return c.json(connectionResponse(connection), 201);
    },
  },
  {
    operationId: 'patch_connection',
    method: 'patch',
    path: ITEM_PATH,
    tag: 'Connection',
    summary: 'Patch Connection',
    description:
      'Updates a connection from a full connection body; `update_mask` limits which fields change. A password or extra value of "***" ' +
      '(what GET shows) keeps the stored secret.',
    authorization: { kind: 'connection', method: 'PUT', idParam: 'connection_id' },
    query: z.object({ update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: connectionBody,
    success: { status: 200, description: 'The connection as updated.', schema: connectionResponseSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, params, query, body }) => {
      const id = params.connection_id!;
      const input = body as ConnectionBody;
      if (input.connection_id !== id) {
        throw new ValidationError(`The connection_id in the request body ("${input.connection_id}") does not match the URL parameter ("${id}").`, 'connection_id');
      }
      const existing = await deps.metastore.getConnection(id);
      if (!existing) throw notFound(id);
      const mask = updateMask(query.update_mask as string | string[] | undefined);
      const unknownFields = (mask ?? []).filter((field) => !(UPDATABLE as readonly string[]).includes(field));
      if (unknownFields.length > 0) {
        throw new ValidationError(`update_mask names fields that cannot be updated: ${unknownFields.join(', ')}. Use: ${UPDATABLE.join(', ')}.`, 'update_mask');
      }
      const sent = connectionFromBody(input);
      const changes = (field: (typeof UPDATABLE)[number]) => mask === undefined || mask.includes(field);
      const updated: Connection = {
        connId: id,
        connType: changes('conn_type') ? sent.connType : existing.connType,
        host: changes('host') ? sent.host : existing.host,
        login: changes('login') ? sent.login : existing.login,
        password: changes('password') ? (restoreRedacted(sent.password, existing.password) as string | null) : existing.password,
        schema: changes('schema') ? sent.schema : existing.schema,
        port: changes('port') ? sent.port : existing.port,
        extra: changes('extra') ? (restoreRedacted(sent.extra, existing.extra) as Record<string, unknown>) : existing.extra,
      };
      await deps.metastore.putConnection(updated);
      return c.json(connectionResponse(updated), 200);
    },
  },
  {
    operationId: 'delete_connection',
    method: 'delete',
    path: ITEM_PATH,
    tag: 'Connection',
    summary: 'Delete Connection',
    description: 'Deletes a connection from the metastore.',
    authorization: { kind: 'connection', method: 'DELETE', idParam: 'connection_id' },
    success: { status: 204, description: 'Deleted.' },
    errors: [404],
    handle: async ({ c, deps, params }) => {
      const id = params.connection_id!;
      if (!(await deps.metastore.deleteConnection(id))) throw notFound(id);
      return c.body(null, 204);
    },
  },
  {
    operationId: 'test_connection',
    method: 'post',
    path: `${PATH}/test`,
    tag: 'Connection',
    summary: 'Test Connection',
    description:
      'Disabled, as Airflow disables it by default (`core.test_connection`): testing would run provider code with the ' +
      "connection's secrets inside the API. Always 403.",
    authorization: { kind: 'connection', method: 'POST' },
    body: connectionBody,
    success: { status: 200, description: 'Never: testing connections is disabled.' },
    errors: [422],
    handle: () => {
      throw new RestApiHttpError(
        403,
        'Testing connections is disabled in Updraft, as it is by default in Airflow. Test a connection from a task instead ' +
          '(e.g. a DAG whose task opens it).',
      );
    },
  },
];
