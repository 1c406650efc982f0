import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { UpdraftConfig } from '../../core/config/updraft-config.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import type { BackfillStore } from '../../core/ports/backfill-store.ts';
import type { PoolStore } from '../../core/ports/pool-store.ts';
import type { AuthManager } from '../../services/auth/auth-manager.ts';
import { authenticate, authorize } from './authorization.ts';
import type { Endpoint } from './endpoint.ts';
import { ALL_ENDPOINTS } from './endpoints/index.ts';
import { errorResponse, RestApiHttpError, validationErrorResponse } from './error-responses.ts';
import type { HealthThresholds } from './health.ts';
import { checkEndpoints, honoPath, methodsForPath } from './routes.ts';

export interface RestApiDeps {
  metastore: Metastore;
  objectStore: ObjectStore;
  pools: PoolStore;
  /** Backfills (the backfill endpoints answer 503 without it). */
  backfills?: BackfillStore;
  authManager: AuthManager;
  clock: Clock;
  logger: Logger;
  /** Updraft's version, as `GET /api/v2/version` reports it (the package version). */
  version: string;
  /** Where clearing a task instance stops its running attempt; absent, the attempt ends on its own. */
  executors?: ExecutorRegistry;
  healthThresholds?: Partial<HealthThresholds>;
  /** The process's configuration, shown by get_config when `[api] expose_config` allows; absent, nothing is exposed. */
  config?: UpdraftConfig;
  /** The endpoints served (default: all); tests serve one group. */
  endpoints?: readonly Endpoint[];
}

/**
 * The public REST API as a Hono app, following Airflow's REST API v2 paths and snake_case JSON. The same
 * app serves Node (local mode, tests) and Lambda. Every endpoint declares its authorization: the app
 * authenticates the caller (401), asks the auth manager (403), validates the query and body (422), and
 * only then calls the handler.
 */
export function createRestApiApp(deps: RestApiDeps): Hono {
  const endpoints = deps.endpoints ?? ALL_ENDPOINTS;
  checkEndpoints(endpoints);
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body, headers } = errorResponse(error, deps.logger);
    return c.json(body, status, headers);
  });
  app.notFound((c) => {
    const allowed = methodsForPath(endpoints, c.req.path);
    const { status, body, headers } = errorResponse(
      allowed.length > 0
        ? new RestApiHttpError(405, `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}.`, {
            Allow: allowed.join(', '),
          })
        : new RestApiHttpError(
            404,
            `No REST API route for ${c.req.method} ${c.req.path}. Updraft follows Airflow's REST API v2 under /api/v2; ` +
              'docs/rest-api.md lists the endpoints that exist.',
          ),
      deps.logger,
    );
    return c.json(body, status, headers);
  });

  for (const endpoint of endpoints) {
    app.on(endpoint.method.toUpperCase(), honoPath(endpoint.path), async (c) => {
      const params = c.req.param() as Record<string, string>;
      const user = endpoint.authorization.kind === 'public' ? null : await authenticate(c, deps.authManager);
      if (user) await authorize(endpoint.authorization, user, params, deps.authManager);
      const query = endpoint.query ? validated(c, endpoint.query, queryObject(c), 'query') : {};
      if (query instanceof Response) return query;
      const body = endpoint.body ? validated(c, endpoint.body, await jsonBody(c), 'body') : undefined;
      if (body instanceof Response) return body;
      return endpoint.handle({ c, deps, user, authManager: deps.authManager, params, query: query as Record<string, unknown>, body });
    });
  }
  return app;
}

/** Repeated query parameters (`?tags=a&tags=b`) arrive as arrays, single ones as strings. */
function queryObject(c: Context): Record<string, string | string[]> {
  const all = c.req.queries();
  return Object.fromEntries(Object.entries(all).map(([key, values]) => [key, values.length === 1 ? values[0]! : values]));
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RestApiHttpError(400, `The request body is not valid JSON: ${(error as Error).message}.`);
  }
}

function validated(c: Context, schema: z.ZodType, input: unknown, where: 'query' | 'body'): unknown {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const { status, body } = validationErrorResponse(result.error, where, input);
  return c.json(body, status);
}
