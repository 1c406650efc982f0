import { InvalidTriggerError } from './invalid-trigger-error.ts';
import type { TriggerSpec } from './trigger-spec.ts';

/**
 * Built-in triggers, modelled on Airflow's DateTimeTrigger, TimeDeltaTrigger, S3KeyTrigger,
 * WorkflowTrigger (external DAG runs) and HttpTrigger. Each returns a plain JSON spec for `ctx.defer`.
 */

/**
 * Fires at a moment (Airflow's `DateTimeTrigger`). Needs no triggerer: the scheduler's tick fires it, so
 * it fires at the first tick at or after the moment (within a minute in AWS). The resumed task's
 * `ctx.resume.event` is the moment as an ISO string.
 *
 * @example
 * ```ts
 * const wait = task({ taskId: 'wait_for_six' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: dateTimeTrigger(`${ctx.ds}T06:00:00Z`) });
 *   return 'it is six';
 * });
 * ```
 */
export function dateTimeTrigger(moment: Date | string): TriggerSpec {
  const date = moment instanceof Date ? new Date(moment.getTime()) : typeof moment === 'string' ? new Date(moment) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || (typeof moment === 'string' && !/(Z|[+-]\d{2}:?\d{2})$/i.test(moment.trim()))) {
    throw new InvalidTriggerError(
      `dateTimeTrigger needs a Date or an ISO 8601 instant with a zone (e.g. "2025-01-01T06:00:00Z"); got ${JSON.stringify(moment)}.`,
    );
  }
  return { kind: 'datetime', kwargs: { moment: date.toISOString() } };
}

/**
 * Fires a number of seconds after the task defers (Airflow's `TimeDeltaTrigger`). It becomes a
 * `dateTimeTrigger` at the moment of deferring, so a resumed or retried wait does not start over.
 *
 * @example
 * ```ts
 * const cool = task({ taskId: 'cool_down' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: timeDeltaTrigger(600) }); // ten minutes, holding no worker
 * });
 * ```
 */
export function timeDeltaTrigger(seconds: number): TriggerSpec {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidTriggerError(`timeDeltaTrigger needs a number of seconds, 0 or more; got ${JSON.stringify(seconds)}.`);
  }
  return { kind: 'timedelta', kwargs: { seconds } };
}

/** Options of `s3KeyTrigger`. */
export interface S3KeyTriggerOptions {
  /** The bucket; may be left out when `key` is a full `s3://bucket/key` URL. */
  bucket?: string;
  /** The key, or with `wildcardMatch` a pattern where `*` and `?` match as in fnmatch. */
  key: string;
  /** Match `key` as a pattern (default false: the exact key). */
  wildcardMatch?: boolean;
}

/**
 * Fires when an object exists in S3 (Airflow's `S3KeyTrigger`). The triggerer checks it once per
 * scheduler tick, and at once when an S3 "Object Created" event of an asset bucket arrives. The event
 * is `{ bucket, keys: [{ key, size }] }`.
 *
 * @example
 * ```ts
 * const waitForFile = task({ taskId: 'wait_for_file' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: s3KeyTrigger({ bucket: 'landing', key: `orders/${ctx.ds}/*.csv`, wildcardMatch: true }) });
 *   return (ctx.resume?.event as { keys: unknown[] }).keys;
 * });
 * ```
 */
export function s3KeyTrigger(options: S3KeyTriggerOptions): TriggerSpec {
  if (typeof options !== 'object' || options === null) throw new InvalidTriggerError('s3KeyTrigger needs options { bucket, key }.');
  let bucket = options.bucket;
  let key = options.key;
  if (typeof key !== 'string' || key === '') throw new InvalidTriggerError('s3KeyTrigger needs a non-empty "key".');
  const url = /^s3:\/\/([^/]+)\/(.+)$/.exec(key);
  if (url) {
    if (bucket !== undefined && bucket !== url[1]) {
      throw new InvalidTriggerError(`s3KeyTrigger: the key names bucket "${url[1]}" but "bucket" is "${bucket}"; give one of them.`);
    }
    bucket = url[1];
    key = url[2]!;
  }
  if (typeof bucket !== 'string' || bucket === '') {
    throw new InvalidTriggerError('s3KeyTrigger needs a "bucket", or a key written as s3://bucket/key.');
  }
  return { kind: 's3_key', kwargs: { bucket, key, wildcardMatch: options.wildcardMatch === true } };
}

/** Options of `externalRunTrigger`. */
export interface ExternalRunTriggerOptions {
  dagId: string;
  /** The other run's logical date (default: the deferring run's own logical date, as Airflow). */
  logicalDate?: Date | string;
  /** Wait for these tasks of the other run; without them, for the run itself. */
  taskIds?: string[];
  /** States that fire the trigger (default ['success']). */
  allowedStates?: string[];
  /** States that make the trigger fail, and with it the waiting task (default ['failed'] for runs, none for tasks). */
  failedStates?: string[];
}

/**
 * Fires when another DAG's run (or some of its tasks) for a logical date reaches an allowed state
 * (Airflow's `WorkflowTrigger`, what a deferrable ExternalTaskSensor waits with); fails the waiting task
 * when it reaches a failed state. The event is `{ state, dagRun, taskInstances }`.
 *
 * @example
 * ```ts
 * const afterUpstream = task({ taskId: 'after_upstream' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: externalRunTrigger({ dagId: 'orders_daily', taskIds: ['load'] }), timeout: 3600 });
 * });
 * ```
 */
export function externalRunTrigger(options: ExternalRunTriggerOptions): TriggerSpec {
  if (typeof options !== 'object' || options === null || typeof options.dagId !== 'string' || options.dagId === '') {
    throw new InvalidTriggerError('externalRunTrigger needs options with a non-empty "dagId".');
  }
  const kwargs: Record<string, unknown> = {
    dagId: options.dagId,
    allowedStates: stringList('allowedStates', options.allowedStates) ?? ['success'],
    failedStates: stringList('failedStates', options.failedStates) ?? (options.taskIds?.length ? [] : ['failed']),
  };
  const taskIds = stringList('taskIds', options.taskIds);
  if (taskIds) kwargs.taskIds = taskIds;
  if (options.logicalDate !== undefined) {
    const date = new Date(options.logicalDate);
    if (Number.isNaN(date.getTime())) throw new InvalidTriggerError(`externalRunTrigger: "logicalDate" is not a date: ${JSON.stringify(options.logicalDate)}.`);
    kwargs.logicalDate = date.toISOString();
  }
  return { kind: 'external_run', kwargs };
}

/** Options of `httpTrigger`: a full `url`, or a connection (its host, schema and port) and an endpoint. */
export type HttpTriggerOptions = (
  | { url: string; connection?: never; endpoint?: never }
  | { connection: string; endpoint?: string; url?: never }
) & {
  /** Default GET. */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /** Statuses that fire the trigger (default: any 2xx). Any other answer means "not yet". */
  expectStatus?: number | number[];
  headers?: Record<string, string>;
  /** A JSON body for POST and PUT. */
  body?: unknown;
};

/**
 * Fires when an HTTP endpoint answers with an expected status (in the spirit of Airflow's `HttpTrigger`
 * and `HttpSensor`). With `connection`, the URL is built from the connection as Airflow's HttpHook does
 * (schema://host:port/endpoint) and its login and password are sent as basic auth. The event is
 * `{ status, body }` (the body as text, at most 64 KiB).
 *
 * @example
 * ```ts
 * const waitForExport = task({ taskId: 'wait_for_export' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: httpTrigger({ connection: 'exports_api', endpoint: `/exports/${ctx.ds}`, expectStatus: 200 }) });
 * });
 * ```
 */
export function httpTrigger(options: HttpTriggerOptions): TriggerSpec {
  if (typeof options !== 'object' || options === null) throw new InvalidTriggerError('httpTrigger needs options { url } or { connection, endpoint }.');
  const kwargs: Record<string, unknown> = { method: options.method ?? 'GET' };
  if (typeof options.url === 'string') {
    if (!/^https?:\/\//i.test(options.url)) throw new InvalidTriggerError(`httpTrigger: "url" must start with http:// or https://; got "${options.url}".`);
    kwargs.url = options.url;
  } else if (typeof options.connection === 'string' && options.connection !== '') {
    kwargs.connection = options.connection;
    kwargs.endpoint = options.endpoint ?? '';
  } else {
    throw new InvalidTriggerError('httpTrigger needs a "url", or a "connection" (and an "endpoint").');
  }
  if (!['GET', 'HEAD', 'POST', 'PUT'].includes(kwargs.method as string)) {
    throw new InvalidTriggerError(`httpTrigger: "method" must be GET, HEAD, POST or PUT; got ${JSON.stringify(options.method)}.`);
  }
  if (options.expectStatus !== undefined) {
    const statuses = Array.isArray(options.expectStatus) ? options.expectStatus : [options.expectStatus];
    if (statuses.length === 0 || statuses.some((status) => !Number.isInteger(status) || status < 100 || status > 599)) {
      throw new InvalidTriggerError(`httpTrigger: "expectStatus" must be HTTP statuses (100-599); got ${JSON.stringify(options.expectStatus)}.`);
    }
    kwargs.expectStatus = statuses;
  }
  if (options.headers !== undefined) kwargs.headers = { ...options.headers };
  if (options.body !== undefined) kwargs.body = options.body;
  return { kind: 'http', kwargs };
}

function stringList(name: string, value: string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new InvalidTriggerError(`externalRunTrigger: "${name}" must be a list of non-empty strings; got ${JSON.stringify(value)}.`);
  }
  return [...value];
}
