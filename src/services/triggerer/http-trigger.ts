import type { TaskConnectionResponse } from '../../http/execution-api-client.ts';
import type { TriggerOutcome } from './trigger-outcome.ts';

/** The body kept in the event: enough for a status document, not a download. */
const MAX_BODY_CHARS = 64 * 1024;

/**
 * The URL of an `http` trigger: its `url`, or its connection's schema://host:port joined with the
 * endpoint, as Airflow's HttpHook builds it (a host that already holds a scheme is used as is).
 */
export function httpTriggerUrl(kwargs: Record<string, unknown>, connection: TaskConnectionResponse | null): string {
  if (typeof kwargs.url === 'string') return kwargs.url;
  if (!connection) throw new Error('an http trigger with a connection needs the connection');
  const host = connection.host ?? '';
  const base = /^https?:\/\//i.test(host)
    ? host
    : `${connection.schema && connection.schema !== '' ? connection.schema : 'http'}://${host}${connection.port ? `:${connection.port}` : ''}`;
  const endpoint = String(kwargs.endpoint ?? '');
  if (endpoint === '') return base;
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

/**
 * One poll of an `http` trigger: fired when the answer's status is expected (any 2xx by default),
 * waiting on any other answer or a network error (the endpoint may not be up yet, as an HttpSensor pokes).
 */
export async function pollHttp(
  kwargs: Record<string, unknown>,
  connection: TaskConnectionResponse | null,
  fetchFn: typeof fetch,
  signal: AbortSignal,
): Promise<TriggerOutcome> {
  const url = httpTriggerUrl(kwargs, connection);
  const headers: Record<string, string> = { ...((kwargs.headers as Record<string, string> | undefined) ?? {}) };
  if (connection?.login) {
    headers.authorization ??= `Basic ${Buffer.from(`${connection.login}:${connection.password ?? ''}`).toString('base64')}`;
  }
  const method = typeof kwargs.method === 'string' ? kwargs.method : 'GET';
  let body: string | undefined;
  if (kwargs.body !== undefined && (method === 'POST' || method === 'PUT')) {
    body = JSON.stringify(kwargs.body);
    headers['content-type'] ??= 'application/json';
  }
  let response: Response;
  try {
    response = await fetchFn(url, { method, headers, body, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: 'waiting', why: `${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const expected = Array.isArray(kwargs.expectStatus) ? (kwargs.expectStatus as number[]) : null;
  const fired = expected ? expected.includes(response.status) : response.status >= 200 && response.status < 300;
  const text = method === 'HEAD' ? '' : (await response.text().catch(() => '')).slice(0, MAX_BODY_CHARS);
  if (!fired) return { kind: 'waiting', why: `${method} ${url} answered ${response.status}` };
  return { kind: 'fired', payload: { status: response.status, body: text } };
}
