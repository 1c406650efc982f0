import { z } from 'zod';
import { OPERATION_IDS } from './operations.ts';
import { finishRequestSchema, heartbeatRequestSchema, startRequestSchema, xcomValueRequestSchema } from './request-schemas.ts';
import { errorBodySchema, healthResponseSchema, startedAttemptSchema, xcomResponseSchema } from './response-schemas.ts';
import { ROUTES, type RouteSpec } from './routes.ts';
import { API_VERSION_HEADER, executionApiVersions } from './versioning/api-versions.ts';

/**
 * The OpenAPI 3.1 document of the Task Execution API at head, generated from the route table and the
 * zod schemas. docs/openapi/execution-api.json is this document, committed; a test regenerates it and
 * fails when the two differ (`npm run openapi` rewrites the file).
 */

type JsonSchema = Record<string, unknown>;

/** The schemas that get a name under components.schemas (what generators turn into classes). */
const COMPONENTS: Record<string, z.ZodType> = {
  StartRequest: startRequestSchema,
  HeartbeatRequest: heartbeatRequestSchema,
  FinishRequest: finishRequestSchema,
  XComValueRequest: xcomValueRequestSchema,
  StartedAttempt: startedAttemptSchema,
  XCom: xcomResponseSchema,
  Health: healthResponseSchema,
  Error: errorBodySchema,
};

/** zod's regex for ISO instants and its safe-integer bounds say nothing `format` and `integer` do not. */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.type === 'integer') {
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is malformed (reason validation; detail.field names the field) or names an unsupported version.',
  401: 'No token, or a token that is forged, malformed or expired (reason invalid_token).',
  403: "The token is valid but names another task instance or another try (reason forbidden).",
  404: 'No such task instance (reason not_found) or XCom (reason xcom_not_found).',
  409: 'The task instance is not in the state this call needs; act on detail.reason.',
  422: "A mapped instance's inputs cannot be found (reason mapped_input): the attempt was failed (retries apply); do not run it.",
  500: 'The server failed (reason internal_error); retrying is safe.',
};

export function buildOpenApiDocument(): Record<string, unknown> {
  const names = new Map<z.ZodType, string>(Object.entries(COMPONENTS).map(([name, schema]) => [schema, name]));
  const schemas: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw', override: tidy }) as JsonSchema;
    delete converted.$schema;
    const name = names.get(schema);
    if (!name) return converted;
    schemas[name] = converted;
    return { $ref: `#/components/schemas/${name}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const operationId of OPERATION_IDS) {
    const route = ROUTES[operationId];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = operation(operationId, route, toSchema);
  }
  toSchema(errorBodySchema, 'output');

  return {
    openapi: '3.1.0',
    info: {
      title: 'Updraft Task Execution API',
      version: executionApiVersions.head,
      description:
        'The API a task runner uses to start, heartbeat and finish a task attempt and to read and push XComs. ' +
        `Versioned by date: send ${API_VERSION_HEADER} on every request. This document describes the head version; ` +
        'x-updraft-api-versions lists every supported version and what changed in each. See docs/execution-api.md.',
    },
    servers: [{ url: '/', description: 'The Execution API base URL (UPDRAFT_EXECUTION_API_URL).' }],
    paths,
    components: {
      schemas: sortKeys(schemas),
      parameters: {
        ApiVersion: {
          name: API_VERSION_HEADER,
          in: 'header',
          required: false,
          description: 'The API version the client speaks. Absent means head; an unsupported one is answered 400.',
          schema: { type: 'string', enum: executionApiVersions.dates, default: executionApiVersions.head },
        },
        TaskInstanceId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The encoded task instance id from the workload.',
          schema: { type: 'string' },
        },
        XComKey: { name: 'key', in: 'path', required: true, description: 'The XCom key, URL-encoded.', schema: { type: 'string' } },
      },
      securitySchemes: {
        taskToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The short-lived token of one task attempt, from the workload.',
        },
      },
    },
    'x-updraft-api-versions': executionApiVersions.versions.map((version) => ({
      version: version.date,
      changes: version.changes.map((change) => ({ name: change.name, description: change.description })),
    })),
  };
}

function operation(
  operationId: string,
  route: RouteSpec,
  toSchema: (schema: z.ZodType, io: 'input' | 'output') => JsonSchema,
): Record<string, unknown> {
  const parameters: Array<{ $ref: string }> = [{ $ref: '#/components/parameters/ApiVersion' }];
  if (route.path.includes('{id}')) parameters.push({ $ref: '#/components/parameters/TaskInstanceId' });
  if (route.path.includes('{key}')) parameters.push({ $ref: '#/components/parameters/XComKey' });
  for (const parameter of route.parameters ?? []) {
    (parameters as Array<Record<string, unknown>>).push({ ...parameter, schema: { type: 'string' } });
  }

  const success: Record<string, unknown> = {
    description: route.success.description,
    headers: { [API_VERSION_HEADER]: { description: 'The version the answer is written in.', schema: { type: 'string' } } },
  };
  if (route.success.schema) success.content = { 'application/json': { schema: toSchema(route.success.schema, 'output') } };

  const responses: Record<string, unknown> = { [String(route.success.status)]: success };
  for (const status of [400, ...route.errors, 500]) {
    const description =
      status === 409 && route.conflictReasons ? `${STATUS_TEXT[409]} Reasons: ${route.conflictReasons.join(', ')}.` : STATUS_TEXT[status];
    responses[String(status)] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }

  return {
    operationId,
    summary: route.summary,
    description: route.description,
    ...(route.authenticated ? { security: [{ taskToken: [] }] } : { security: [] }),
    parameters,
    ...(route.request
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.request, 'input') } } } }
      : {}),
    responses,
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The committed file's exact text: stable key order from the code, two-space indent, final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
