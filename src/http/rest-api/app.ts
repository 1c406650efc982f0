import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { UpdraftError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { errorResponse, RestApiHttpError } from './error-responses.ts';
import { checkHealth, DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS, type HealthThresholds } from './health.ts';
import type { VersionInfo } from './response-schemas.ts';
import { honoPath, methodsForPath, ROUTES, type OperationId } from './routes.ts';

export interface RestApiDeps {
  metastore: Metastore;
  clock: Clock;
  logger: Logger;
  /** Updraft's version, as `GET /api/v2/version` reports it (the package version). */
  version: string;
  healthThresholds?: Partial<HealthThresholds>;
}

type Handler = (c: Context) => Promise<Response> | Response;

/**
 * The public REST API as a Hono app, following Airflow's REST API v2 paths and snake_case JSON. The same
 * app serves Node (local mode, tests) and Lambda. Routes come from the table in routes.ts; issue #6 adds
 * its handlers (and authentication for routes marked `authenticated`) to `handlers`.
 */
export function createRestApiApp(deps: RestApiDeps): Hono {
  const thresholds: HealthThresholds = {
    schedulerSeconds: deps.healthThresholds?.schedulerSeconds ?? DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS,
  };
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body, headers } = errorResponse(error, deps.logger);
    return c.json(body, status, headers);
  });
  app.notFound((c) => {
    const allowed = methodsForPath(c.req.path);
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

  const handlers: Record<OperationId, Handler> = {
    get_health: async (c) =>
      answer(c, 'get_health', await checkHealth({ metastore: deps.metastore, clock: deps.clock, logger: deps.logger, thresholds })),
    get_version: (c) => answer(c, 'get_version', { version: deps.version, git_version: null } satisfies VersionInfo),
  };

  for (const [operation, route] of Object.entries(ROUTES) as Array<[OperationId, (typeof ROUTES)[OperationId]]>) {
    if (route.authenticated) {
      // Nothing may be served unguarded by mistake: an authenticated route needs the auth manager of #6 first.
      throw new UpdraftError('unguarded_route', `Route ${operation} needs authentication, which the REST API does not have yet: add the auth manager before the route.`);
    }
    app.on(route.method.toUpperCase(), honoPath(route.path), handlers[operation]);
  }

  return app;
}

function answer(c: Context, operation: OperationId, body: object): Response {
  return c.json(body, ROUTES[operation].success.status as ContentfulStatusCode);
}
