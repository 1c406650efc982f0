import type { z } from 'zod';
import { healthInfoSchema, versionInfoSchema } from './response-schemas.ts';

/** Every REST API path starts here, as Airflow 3's public API does. */
export const REST_API_PREFIX = '/api/v2';

/**
 * Airflow's operation ids (its OpenAPI document's `operationId`), so that generated Airflow clients and
 * ours name an endpoint the same way.
 */
export const OPERATION_IDS = ['get_health', 'get_version'] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

/**
 * Every route of the REST API, once: the app registers its handlers from this table and the OpenAPI
 * document (issue #6) is generated from it, so the two cannot disagree about paths, methods or bodies.
 */
export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form, prefix included: `/api/v2/dags/{dag_id}`. */
  path: string;
  /** Airflow's OpenAPI tag, which groups operations in documents and generated clients. */
  tag: string;
  summary: string;
  description: string;
  /** False only for what Airflow serves without a token (health and version). */
  authenticated: boolean;
  request?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Error statuses this route may answer besides 500. */
  errors: Array<400 | 401 | 403 | 404 | 409 | 422>;
}

export const ROUTES: Record<OperationId, RouteSpec> = {
  get_health: {
    method: 'get',
    path: `${REST_API_PREFIX}/monitor/health`,
    tag: 'Monitor',
    summary: 'Get Health',
    description:
      'The status of the metadatabase, the scheduler, the triggerer and the DAG processor. Always 200: read each ' +
      "component's status. The scheduler is healthy while its latest heartbeat is younger than the threshold " +
      '(180 s by default; the scheduler ticks every minute in AWS). Updraft has no triggerer, and its DAG ' +
      'processor runs on S3 events without a heartbeat: both report a null status.',
    authenticated: false,
    success: { status: 200, description: 'The health of each component.', schema: healthInfoSchema },
    errors: [],
  },
  get_version: {
    method: 'get',
    path: `${REST_API_PREFIX}/version`,
    tag: 'Version',
    summary: 'Get Version',
    description: "The Updraft version this API runs. `git_version` is null: deployments are built from the package, not a checkout.",
    authenticated: false,
    success: { status: 200, description: 'The version.', schema: versionInfoSchema },
    errors: [],
  },
};

/** `/a/{id}` → `/a/:id`, Hono's form. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * The methods the table serves at a concrete request path, upper-case; empty when no route has that path.
 * Lets an unknown method on a known path be answered 405 with `Allow`, as Airflow (Starlette) does.
 */
export function methodsForPath(requestPath: string): string[] {
  const methods = new Set<string>();
  for (const route of Object.values(ROUTES)) {
    const pattern = new RegExp(`^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(requestPath)) methods.add(route.method.toUpperCase());
  }
  return [...methods];
}
