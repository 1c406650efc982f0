import type { HttpSensorResponse, SensorFunctions, TaskConnection, TaskContext } from '../../../sdk/index.ts';
import { HttpSensorError } from './sensor-errors.ts';

export interface HttpPokeFields {
  endpoint: string;
  method: string;
  httpConnId: string;
  headers?: Record<string, string>;
  data?: Record<string, unknown> | string;
}

/**
 * Airflow's HttpHook base URL: a host holding a scheme is used as is; otherwise `schema` (default http),
 * the host and the port. The endpoint is joined with exactly one slash.
 */
export function httpSensorUrl(connection: Pick<TaskConnection, 'host' | 'schema' | 'port'>, endpoint: string): string {
  let base = '';
  if (connection.host) {
    base = connection.host.includes('://') ? connection.host : `${connection.schema || 'http'}://${connection.host}`;
    if (connection.port && !connection.host.includes('://')) base += `:${connection.port}`;
  }
  if (!base) return endpoint;
  if (!endpoint) return base;
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

/**
 * One poke of an httpSensor: 2xx is done (or what `responseCheck` says), 404 is "not yet", any other
 * status fails the task. The connection's `extra` are default headers and its login/password basic auth.
 */
export async function pokeHttp(
  fields: HttpPokeFields,
  deps: { ctx: TaskContext; functions: SensorFunctions; fetch: typeof fetch },
): Promise<boolean> {
  const connection = await deps.ctx.connections.get(fields.httpConnId);
  let url = httpSensorUrl(connection, fields.endpoint);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(connection.extra ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  Object.assign(headers, fields.headers ?? {});
  if (connection.login) {
    headers.authorization = `Basic ${Buffer.from(`${connection.login}:${connection.password ?? ''}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (fields.data !== undefined) {
    if (fields.method === 'GET' || fields.method === 'HEAD') {
      const query = typeof fields.data === 'string' ? fields.data : new URLSearchParams(stringValues(fields.data)).toString();
      if (query) url += `${url.includes('?') ? '&' : '?'}${query}`;
    } else if (typeof fields.data === 'string') {
      body = fields.data;
    } else {
      body = JSON.stringify(fields.data);
      headers['content-type'] ??= 'application/json';
    }
  }
  deps.ctx.log.info(`Poking: ${fields.method} ${url}`);
  const response = await deps.fetch(url, { method: fields.method, headers, body, signal: deps.ctx.signal });
  const text = await response.text();
  if (response.status === 404) return false;
  if (response.status < 200 || response.status >= 300) throw new HttpSensorError(response.status, url, text);
  if (!deps.functions.responseCheck) return true;
  const answer: HttpSensorResponse = {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text,
    json: parseJson(text),
  };
  return Boolean(await deps.functions.responseCheck(answer, deps.ctx));
}

function stringValues(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
