import type { OutletEventAccessors, TriggeringAssetEvent } from './assets.ts';
import type { DeferOptions } from './signals.ts';

/**
 * The task instance a running task belongs to, with access to XCom (Airflow's `ti`).
 *
 * @example
 * ```ts
 * const report = task({ taskId: 'report' }, async (ctx) => {
 *   const rows = await ctx.ti.xcomPull('extract');
 *   await ctx.ti.xcomPush('row_count', Array.isArray(rows) ? rows.length : 0);
 * });
 * ```
 */
export interface TaskInstanceContext {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  /** -1 for a task that is not mapped, as in Airflow. */
  readonly mapIndex: number;
  /** The attempt number, starting at 1. */
  readonly tryNumber: number;
  /** Reads an XCom of this run; `key` defaults to `return_value` (the other task's return value). */
  xcomPull(taskId: string, key?: string): Promise<unknown>;
  /** Writes an XCom of this task instance. The value must be JSON-serializable. */
  xcomPush(key: string, value: unknown): Promise<void>;
}

/**
 * A logger whose lines go to the task instance's log.
 *
 * @example
 * ```ts
 * ctx.log.info('loaded 42 rows');
 * ```
 */
export interface TaskLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * A connection as tasks see it: Airflow's Connection fields in camelCase. Its password is masked in the
 * task log from the moment the task reads it.
 *
 * @example
 * ```ts
 * const load = task({ taskId: 'load' }, async (ctx) => {
 *   const db = await ctx.connections.get('warehouse');
 *   ctx.log.info(`loading into ${db.host}:${db.port}/${db.schema}`);
 * });
 * ```
 */
export interface TaskConnection {
  readonly connId: string;
  readonly connType: string;
  readonly host: string | null;
  readonly login: string | null;
  readonly password: string | null;
  readonly schema: string | null;
  readonly port: number | null;
  readonly extra: Record<string, unknown>;
}

/**
 * Variables, searched as Airflow searches them: `UPDRAFT_VAR_<KEY>` in the environment, then Secrets
 * Manager (`updraft/variables/<key>`), then the metastore. Values of keys that look secret (password,
 * token, api_key, ...) are masked in the task log.
 *
 * @example
 * ```ts
 * const extract = task({ taskId: 'extract' }, async (ctx) => {
 *   const batchSize = Number(await ctx.variables.get('batch_size', '500'));
 *   await ctx.variables.set('last_extract', ctx.ds);
 *   return batchSize;
 * });
 * ```
 */
export interface TaskVariables {
  /** The value; `defaultValue` when no backend defines the key, else an error naming where it looked. */
  get(key: string, defaultValue?: string): Promise<string>;
  /** Stores the value in the metastore, as Airflow's `Variable.set`. */
  set(key: string, value: string, description?: string): Promise<void>;
}

/**
 * Connections, searched as Airflow searches them: `UPDRAFT_CONN_<ID>` (URI or JSON), Secrets Manager
 * (`updraft/connections/<id>`), then the metastore.
 *
 * @example
 * ```ts
 * const ping = task({ taskId: 'ping' }, async (ctx) => {
 *   const api = await ctx.connections.get('orders_api');
 *   return (await fetch(`https://${api.host}/health`, { signal: ctx.signal })).status;
 * });
 * ```
 */
export interface TaskConnections {
  get(connId: string): Promise<TaskConnection>;
}

/**
 * What a TaskFlow function receives as its first argument: the run it belongs to (Airflow's template
 * context, in camelCase), its params, XCom access, a logger, and an abort signal.
 *
 * @example
 * ```ts
 * const extract = task({ taskId: 'extract' }, async (ctx: TaskContext) => {
 *   ctx.log.info(`extracting ${ctx.ds} (${ctx.dataIntervalStart.toISOString()} to ${ctx.dataIntervalEnd.toISOString()})`);
 *   const response = await fetch(`https://example.com/orders?day=${ctx.ds}`, { signal: ctx.signal });
 *   return response.json();
 * });
 * ```
 */
export interface TaskContext {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
  /** The logical date as `YYYY-MM-DD` in UTC. */
  readonly ds: string;
  /** The logical date as `YYYYMMDD` in UTC. */
  readonly dsNodash: string;
  /** The logical date as an ISO-8601 string. */
  readonly ts: string;
  readonly logicalDate: Date;
  readonly dataIntervalStart: Date;
  readonly dataIntervalEnd: Date;
  /** The DAG's params: their defaults, overridden by the run's conf where the trigger gave a value. */
  readonly params: Record<string, unknown>;
  /** The conf the run was triggered with (empty for scheduled runs). */
  readonly conf: Record<string, unknown>;
  readonly ti: TaskInstanceContext;
  readonly variables: TaskVariables;
  readonly connections: TaskConnections;
  readonly log: TaskLog;
  /** Aborted when the task times out or is cleared: pass it to fetch and other cancellable work. */
  readonly signal: AbortSignal;
  /** The asset events this task emits for its outlets when it succeeds; set their `extra` here. */
  readonly outletEvents: OutletEventAccessors;
  /** For an asset-triggered run: the asset updates that started it, by asset URI (empty otherwise). */
  readonly triggeringAssetEvents: Readonly<Record<string, readonly TriggeringAssetEvent[]>>;
  /** Set when this run resumes a deferral (its trigger fired); null on a first run. See `defer`. */
  readonly resume: TaskResume | null;
  /**
   * Gives the worker back and waits, in state `deferred`, until the trigger fires (Airflow's
   * `self.defer`); then the same try runs this task function again with `ctx.resume` set. Never returns.
   */
  defer(options: DeferOptions): never;
}

/**
 * How a resumed task continues (Airflow's `next_method` and `next_kwargs`, with the trigger's event).
 * Where Airflow calls a second method (`execute_complete(context, event)`), an Updraft task runs its
 * function again and branches on `ctx.resume`.
 *
 * @example
 * ```ts
 * const waitForFile = task({ taskId: 'wait_for_file' }, (ctx) => {
 *   if (ctx.resume === null) {
 *     ctx.defer({ trigger: s3KeyTrigger({ bucket: 'landing', key: `orders/${ctx.ds}.csv` }), kwargs: { attempt: 1 }, timeout: 3600 });
 *   }
 *   ctx.log.info(`resumed in ${ctx.resume.method} with ${JSON.stringify(ctx.resume.event)}`);
 *   return ctx.resume.kwargs.attempt;
 * });
 * ```
 */
export interface TaskResume {
  /** The `method` given to `ctx.defer` (default `execute_complete`). */
  readonly method: string;
  /** The payload of the event the trigger fired with. */
  readonly event: unknown;
  /** The `kwargs` given to `ctx.defer` (empty when none). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}
