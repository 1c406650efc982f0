import { serveExecutionApi, type ServedApi } from '../execution-api/serve.ts';

export type { ServedApi };

/**
 * Serves the REST API on Node for local mode and tests. Port 0 picks a free port. Serving a Hono app is
 * the same for both APIs, so this shares the Execution API's server code.
 */
export function serveRestApi(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: { port: number; host: string },
): Promise<ServedApi> {
  return serveExecutionApi(app, options);
}
