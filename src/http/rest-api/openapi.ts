import { z } from 'zod';
import type { Endpoint } from './endpoint.ts';
import { ALL_ENDPOINTS } from './endpoints/index.ts';
import { errorBodySchema, validationErrorBodySchema } from './response-schemas.ts';

/**
 * The OpenAPI 3.1 document of the REST API, generated from the endpoint table and the zod schemas the
 * handlers validate and answer with. docs/openapi/rest-api-v2.json is this document, committed; a test
 * regenerates it and fails when the two differ (`npm run openapi` rewrites both documents).
 */

type JsonSchema = Record<string, unknown>;

/** zod's regex for ISO instants and its safe-integer bounds say nothing `format` and `integer` do not. */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.type === 'integer') {
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  }
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // `any` for what JSON Schema cannot express (transforms): the runtime check still applies.
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', override: tidy }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request cannot be done as asked; `detail` says why.',
  401: 'No token, or a token that is malformed, forged or expired. Get one with POST /auth/token.',
  403: 'The token is valid, but its user may not do this; `detail` says what was refused.',
  404: 'The resource does not exist; `detail` names it.',
  409: 'The request conflicts with the current state (the resource exists, or changed meanwhile).',
  422: 'A query parameter or body field has a bad value; `detail[].loc` names it.',
  500: 'The server failed; retrying is safe for GET, PUT and DELETE.',
};

function parametersOf(endpoint: Endpoint): JsonSchema[] {
  const path = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = endpoint.query
    ? Object.entries((toJsonSchema(endpoint.query, 'input').properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
        name,
        in: 'query',
        required: ((toJsonSchema(endpoint.query!, 'input').required ?? []) as string[]).includes(name),
        schema,
      }))
    : [];
  return [...path, ...query];
}

function operation(endpoint: Endpoint): JsonSchema {
  const success: JsonSchema = { description: endpoint.success.description };
  if (endpoint.success.schema) success.content = { 'application/json': { schema: toJsonSchema(endpoint.success.schema, 'output') } };
  const responses: Record<string, JsonSchema> = { [String(endpoint.success.status)]: success };
  const isPublic = endpoint.authorization.kind === 'public';
  const statuses = [...(isPublic ? [] : [401, 403]), ...endpoint.errors, ...(endpoint.query || endpoint.body ? [422] : []), 500];
  for (const status of [...new Set(statuses)].sort((a, b) => a - b)) {
    responses[String(status)] = {
      description: STATUS_TEXT[status],
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${status === 422 ? 'HTTPValidationError' : 'HTTPExceptionResponse'}` } } },
    };
  }
  const parameters = parametersOf(endpoint);
  return {
    operationId: endpoint.operationId,
    tags: [endpoint.tag],
    summary: endpoint.summary,
    description: endpoint.description,
    security: isPublic ? [] : [{ OAuth2PasswordBearer: [] }, { HTTPBearer: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(endpoint.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(endpoint.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildRestApiOpenApiDocument(version: string, endpoints: readonly Endpoint[] = ALL_ENDPOINTS): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const endpoint of [...endpoints].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method] = operation(endpoint);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Updraft REST API',
      version,
      description:
        "Airflow 3's public REST API v2, as Updraft serves it: Airflow's paths, operation ids and snake_case fields, so Airflow " +
        'clients and scripts keep working. Where Updraft differs, docs/rest-api.md says so.',
    },
    servers: [{ url: '/', description: 'The REST API base URL (stack output RestApiUrl; `updraft standalone` prints the local one).' }],
    paths,
    components: {
      schemas: {
        HTTPExceptionResponse: toJsonSchema(errorBodySchema, 'output'),
        HTTPValidationError: toJsonSchema(validationErrorBodySchema, 'output'),
      },
      securitySchemes: {
        OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/token', scopes: {} } } },
        HTTPBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

/** The committed file's exact text: stable key order from the code, two-space indent, final newline. */
export function renderRestApiOpenApiDocument(version: string): string {
  return `${JSON.stringify(buildRestApiOpenApiDocument(version), null, 2)}\n`;
}
