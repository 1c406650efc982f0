import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

export interface ServedApi {
  /** e.g. `http://127.0.0.1:41234` (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/** Serves an app on Node for local mode and tests. Port 0 picks a free port. */
export function serveExecutionApi(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: { port: number; host: string }): Promise<ServedApi> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      server.off('error', reject);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            // Keep-alive connections would hold close() open until they time out.
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
    server.once('error', reject);
  });
}
