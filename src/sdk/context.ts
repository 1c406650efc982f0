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
  readonly log: TaskLog;
  /** Aborted when the task times out or is cleared: pass it to fetch and other cancellable work. */
  readonly signal: AbortSignal;
}
