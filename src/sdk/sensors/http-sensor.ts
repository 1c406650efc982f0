import type { TaskContext } from '../context.ts';
import { jsonProblem } from '../json-check.ts';
import type { TaskRef } from '../task-ref.ts';
import { describe } from '../task-options.ts';
import { addSensor } from './add-sensor.ts';
import type { SensorOptions } from './sensor-options.ts';
import type { HttpSensorResponse } from './sensor-types.ts';

/**
 * Options of `httpSensor()`. `endpoint`, `headers` and `data` are templates.
 *
 * @example
 * ```ts
 * const options: HttpSensorOptions = { taskId: 'wait_export', httpConnId: 'exports_api', endpoint: 'exports/{{ ds }}' };
 * ```
 */
export interface HttpSensorOptions extends SensorOptions {
  /** The path after the connection's base URL (e.g. `api/v1/status`). */
  endpoint: string;
  /** HTTP method (default GET). */
  method?: string;
  /** Extra request headers; the connection's `extra` adds its own first, as Airflow's HttpHook does. */
  headers?: Record<string, string>;
  /** Query parameters for GET (an object) or the request body for other methods (an object is sent as JSON). */
  data?: Record<string, unknown> | string;
  /** Decides from the answer whether the wait is over (default: any 2xx answer is). */
  responseCheck?: (response: HttpSensorResponse, ctx: TaskContext) => unknown;
  /** The connection with the base URL: host, schema, port, login and password (default `http_default`). */
  httpConnId?: string;
}

const HTTP_SENSOR_KEYS = ['endpoint', 'method', 'headers', 'data', 'responseCheck', 'httpConnId'] as const;

/**
 * Adds a sensor that polls an HTTP endpoint (Airflow's `HttpSensor`). The URL is built like Airflow's
 * HttpHook: the connection's `host` (a full URL, or a host name with `schema` and `port`), then
 * `endpoint`; login and password become basic auth. A 2xx answer ends the wait unless `responseCheck`
 * says otherwise; a 404 means "not yet"; any other error status fails the task (retries apply).
 * Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, httpSensor } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'partner_feed', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   httpSensor({
 *     taskId: 'feed_published',
 *     httpConnId: 'partner_api', // UPDRAFT_CONN_PARTNER_API='https://partner.example.com'
 *     endpoint: 'feeds/{{ ds }}/status',
 *     responseCheck: (response) => (response.json as { state?: string } | null)?.state === 'published',
 *     mode: 'reschedule',
 *     pokeInterval: 300,
 *   });
 * });
 * ```
 */
export function httpSensor(options: HttpSensorOptions): TaskRef<boolean> {
  return addSensor<boolean>('httpSensor', 'http', options, HTTP_SENSOR_KEYS, (fail) => {
    if (typeof options.endpoint !== 'string') fail(`endpoint must be a path such as "api/status", got ${describe(options.endpoint)}.`);
    const method = (options.method ?? 'GET').toUpperCase();
    if (!/^[A-Z]+$/.test(method)) fail(`method must be an HTTP method such as "GET", got ${describe(options.method)}.`);
    const headers = options.headers as unknown;
    if (
      headers !== undefined &&
      (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === 'string'))
    ) {
      fail(`headers must map header names to strings, got ${describe(headers)}.`);
    }
    if (options.data !== undefined && typeof options.data !== 'string') {
      const problem = jsonProblem(options.data, 'data');
      if (problem || typeof options.data !== 'object' || Array.isArray(options.data)) {
        fail(`data must be a string or an object of JSON values${problem ? ` (${problem})` : ''}.`);
      }
    }
    if (options.responseCheck !== undefined && typeof options.responseCheck !== 'function') {
      fail(`responseCheck must be a function (response, ctx) => boolean, got ${describe(options.responseCheck)}.`);
    }
    if (options.deferrable === true) deferrableHttpProblem(options, method, fail);
    const connId = options.httpConnId ?? 'http_default';
    if (typeof connId !== 'string' || connId === '') fail(`httpConnId must be a connection id, got ${describe(connId)}.`);
    return {
      templateFields: {
        endpoint: options.endpoint,
        method,
        httpConnId: connId,
        ...(options.headers !== undefined ? { headers: { ...options.headers } } : {}),
        ...(options.data !== undefined ? { data: typeof options.data === 'string' ? options.data : structuredClone(options.data) } : {}),
      },
      functions: options.responseCheck ? { responseCheck: options.responseCheck } : {},
    };
  });
}

/** What a deferrable httpSensor's trigger (src/sdk/triggers' httpTrigger) cannot express. */
const TRIGGER_METHODS = ['GET', 'HEAD', 'POST', 'PUT'];

function deferrableHttpProblem(options: HttpSensorOptions, method: string, fail: (message: string) => never): void {
  if (options.responseCheck !== undefined) {
    fail('a deferrable httpSensor cannot have a responseCheck: the triggerer does not run your code. Drop one of them.');
  }
  if (!TRIGGER_METHODS.includes(method)) fail(`a deferrable httpSensor sends GET, HEAD, POST or PUT, got "${method}".`);
  if (typeof options.data === 'string' && method !== 'GET' && method !== 'HEAD') {
    fail('a deferrable httpSensor sends its data as a JSON body: give data as an object.');
  }
}
