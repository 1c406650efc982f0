import type { Context } from 'hono';
import type { z } from 'zod';
import type { AccessView, AuthenticatedUser, AuthManager, DagAccessEntity, ResourceMethod } from '../../services/auth/auth-manager.ts';
import type { RestApiDeps } from './app.ts';

/**
 * What a route needs the auth manager to allow. Path parameters name the resource: `dagIdParam: 'dag_id'`
 * reads the DAG id from `{dag_id}`. `public` routes take no token (health, version, `POST /auth/token`).
 */
export type Authorization =
  | { kind: 'public' }
  | { kind: 'dag'; method: ResourceMethod; accessEntity?: DagAccessEntity; dagIdParam?: string }
  | { kind: 'connection' | 'pool' | 'variable' | 'asset' | 'backfill' | 'configuration'; method: ResourceMethod; idParam?: string }
  | { kind: 'view'; accessView: AccessView }
  /** The handler checks itself (batch endpoints, lists across DAGs filtered with getAuthorizedDagIds). */
  | { kind: 'handler' };

/**
 * One REST API operation: its route (the OpenAPI document is generated from these), what it needs
 * authorized, and its handler. Endpoint groups (endpoints/*.ts) export arrays of these; the app registers
 * them all, checks authentication and the declared authorization before calling `handle`.
 */
export interface Endpoint {
  /** Airflow's operationId (`get_dags`, `trigger_dag_run`...), so generated Airflow clients name it the same. */
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form with the prefix: `/api/v2/dags/{dag_id}`. */
  path: string;
  /** Airflow's OpenAPI tag (`DAG`, `DagRun`, `TaskInstance`, `Variable`...). */
  tag: string;
  summary: string;
  description: string;
  authorization: Authorization;
  /** Query parameters, validated before `handle` (invalid → 422 naming the parameter). */
  query?: z.ZodObject;
  /** JSON body, validated before `handle` (invalid → 422 naming the field). */
  body?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Error statuses besides 401/403 (added for non-public routes) and 500. */
  errors: Array<400 | 404 | 409 | 422>;
  handle(request: EndpointRequest): Promise<Response> | Response;
}

/** What a handler gets: the Hono context, the deps, the caller, and the validated query and body. */
export interface EndpointRequest {
  c: Context;
  deps: RestApiDeps;
  /** Null only on public routes. */
  user: AuthenticatedUser | null;
  authManager: AuthManager;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}
