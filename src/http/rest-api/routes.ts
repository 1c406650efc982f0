import type { Endpoint } from './endpoint.ts';

/** Every REST API path starts here, as Airflow 3's public API does. */
export const REST_API_PREFIX = '/api/v2';

/** `/a/{id}` → `/a/:id`, Hono's form. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * The methods the endpoints serve at a concrete request path, upper-case; empty when none has that path.
 * Lets an unknown method on a known path be answered 405 with `Allow`, as Airflow (Starlette) does.
 */
export function methodsForPath(endpoints: readonly Endpoint[], requestPath: string): string[] {
  const methods = new Set<string>();
  for (const endpoint of endpoints) {
    const pattern = new RegExp(`^${endpoint.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(requestPath)) methods.add(endpoint.method.toUpperCase());
  }
  return [...methods];
}

/** Endpoint lists must not name one operation or one method and path twice. */
export function checkEndpoints(endpoints: readonly Endpoint[]): void {
  const operations = new Set<string>();
  const routes = new Set<string>();
  for (const endpoint of endpoints) {
    const route = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
    if (operations.has(endpoint.operationId)) throw new Error(`REST API operation ${endpoint.operationId} is declared twice.`);
    if (routes.has(route)) throw new Error(`REST API route ${route} is declared twice.`);
    operations.add(endpoint.operationId);
    routes.add(route);
  }
}
