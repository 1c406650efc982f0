import type { Notifier } from './callbacks.ts';
import type { TaskConnections, TaskLog, TaskVariables } from './context.ts';
import { DagDefinitionError } from './errors.ts';

/**
 * What a DAG-run callback is about: the run succeeded, failed, or missed its deadline.
 *
 * @example
 * ```ts
 * const event: DagRunCallbackEvent = 'failure';
 * ```
 */
export type DagRunCallbackEvent = 'success' | 'failure' | 'deadline';

/**
 * What a DAG-run callback (`onSuccess`, `onFailure` of `dag()`, or a deadline's `callback`) receives:
 * the run's facts, its variables and connections, a log and a signal. It runs on a worker, in the DAG
 * bundle, never in the scheduler; it cannot touch the run's task instances.
 *
 * @example
 * ```ts
 * const onFailure = (ctx: DagRunCallbackContext, info: DagRunCallbackInfo) =>
 *   ctx.log.error(`${ctx.dagId} ${ctx.runId} failed: ${info.reason}`);
 * ```
 */
export interface DagRunCallbackContext {
  readonly dagId: string;
  readonly runId: string;
  /** `scheduled`, `manual`, `backfill` or `asset_triggered`. */
  readonly runType: string;
  readonly logicalDate: Date;
  /** The logical date as `YYYY-MM-DD` in UTC. */
  readonly ds: string;
  /** The logical date as an ISO-8601 string. */
  readonly ts: string;
  readonly dataIntervalStart: Date;
  readonly dataIntervalEnd: Date;
  readonly queuedAt: Date;
  readonly startDate: Date | null;
  /** When the run ended; null for a deadline alert on a run that still runs. */
  readonly endDate: Date | null;
  readonly conf: Record<string, unknown>;
  readonly variables: TaskVariables;
  readonly connections: TaskConnections;
  /** Written to the worker's log (CloudWatch), with the DAG and run ids. */
  readonly log: TaskLog;
  /** Aborted when the callback's time is up. */
  readonly signal: AbortSignal;
  /** For a task's deadline alert: the task instance that missed it; absent for DAG-run events. */
  readonly taskInstance?: DeadlineTaskInstance;
}

/**
 * The task instance a task's deadline alert is about, as the scheduler saw it when the deadline passed.
 *
 * @example
 * ```ts
 * const late = (ctx: DagRunCallbackContext) => ctx.log.warn(`${ctx.taskInstance?.taskId} is still ${ctx.taskInstance?.state}`);
 * ```
 */
export interface DeadlineTaskInstance {
  readonly taskId: string;
  /** -1 for an unmapped task. */
  readonly mapIndex: number;
  readonly tryNumber: number;
  /** Its state then: never a finished one (`running`, `queued`, `up_for_retry`, `none`...). */
  readonly state: string;
}

/**
 * What a DAG-run callback learns besides its context.
 *
 * @example
 * ```ts
 * const info: DagRunCallbackInfo = { event: 'failure', state: 'failed', reason: 'task_failure', deadline: null };
 * ```
 */
export interface DagRunCallbackInfo {
  readonly event: DagRunCallbackEvent;
  /** The run's state: `success` or `failed` when it ended; `running` or `queued` for a deadline alert. */
  readonly state: string;
  /** Why (Airflow's callback reason): `success`, `task_failure`, `all_tasks_deadlocked`, `deadline_missed`. */
  readonly reason: string;
  /** For `deadline`: when the run was due. */
  readonly deadline: Date | null;
}

/**
 * A DAG-run callback function (Airflow's DAG `on_success_callback` / `on_failure_callback`).
 *
 * @example
 * ```ts
 * const page: DagRunCallbackFunction = async (ctx, info) => { await fetch(pagerUrl, { method: 'POST', body: info.reason }); };
 * ```
 */
export type DagRunCallbackFunction = (ctx: DagRunCallbackContext, info: DagRunCallbackInfo) => void | Promise<void>;

/**
 * A notifier that can also report DAG-run events: `httpNotifier` and `snsNotifier` are both.
 *
 * @example
 * ```ts
 * const logNotifier: RunNotifier = {
 *   notify: (ctx, info) => ctx.log.info(`${ctx.taskId}: ${info.state}`),
 *   notifyRun: (ctx, info) => ctx.log.info(`${ctx.runId}: ${info.reason}`),
 * };
 * ```
 */
export interface RunNotifier extends Notifier {
  notifyRun(ctx: DagRunCallbackContext, info: DagRunCallbackInfo): void | Promise<void>;
}

/**
 * One DAG-run callback: a function or a notifier with `notifyRun`.
 *
 * @example
 * ```ts
 * const callbacks: DagRunCallback[] = [snsNotifier({ topicArn }), (ctx) => ctx.log.info('done')];
 * ```
 */
export type DagRunCallback = DagRunCallbackFunction | RunNotifier;

/**
 * What `onSuccess`, `onFailure` and a deadline's `callback` accept: one callback or a list, run in order.
 *
 * @example
 * ```ts
 * const onFailure: DagRunCallbacks = [httpNotifier({ connId: 'slack_alerts' }), snsNotifier({ topicArn })];
 * ```
 */
export type DagRunCallbacks = DagRunCallback | readonly DagRunCallback[];

/**
 * Whether a value can be a DAG-run callback notifier. Checked by shape (a bundle has its own SDK copy).
 *
 * @example
 * ```ts
 * isRunNotifier(httpNotifier({ connId: 'slack' })); // true
 * ```
 */
export function isRunNotifier(value: unknown): value is RunNotifier {
  return typeof value === 'object' && value !== null && typeof (value as { notifyRun?: unknown }).notifyRun === 'function';
}

/** Validates a DAG-run callback option and turns it into a frozen list. */
export function resolveDagCallbackList(where: string, option: string, value: unknown): readonly DagRunCallback[] {
  if (value === undefined || value === null) return Object.freeze([]);
  const list: unknown[] = Array.isArray(value) ? value : [value];
  list.forEach((callback, index) => {
    if (typeof callback === 'function' || isRunNotifier(callback)) return;
    const at = Array.isArray(value) ? `${option}[${index}]` : option;
    const got =
      typeof callback === 'object' && callback !== null && typeof (callback as { notify?: unknown }).notify === 'function'
        ? 'a notifier without notifyRun (it can only report task events)'
        : typeof callback === 'object'
          ? 'an object without a notifyRun method'
          : typeof callback;
    throw new DagDefinitionError(
      `${where}: ${at} must be a function (ctx, info) => ... or a notifier that reports DAG runs, such as httpNotifier({ connId: 'slack' }) or snsNotifier({ topicArn }); got ${got}.`,
    );
  });
  return Object.freeze([...(list as DagRunCallback[])]);
}

/**
 * The text notifiers send for a DAG-run event unless given a `message`.
 *
 * @example
 * ```ts
 * defaultRunNotificationText(ctx, info);
 * // 'DAG etl, run scheduled__2025-01-01T00:00:00+00:00: failed (task_failure).'
 * ```
 */
export function defaultRunNotificationText(ctx: Pick<DagRunCallbackContext, 'dagId' | 'runId' | 'taskInstance'>, info: DagRunCallbackInfo): string {
  if (info.event === 'deadline') {
    const due = info.deadline ? ` It was due at ${info.deadline.toISOString()}` : '';
    const ti = ctx.taskInstance;
    if (ti) {
      const name = ti.mapIndex >= 0 ? `${ti.taskId}[${ti.mapIndex}]` : ti.taskId;
      return `DAG ${ctx.dagId}, run ${ctx.runId}: task ${name} missed its deadline and is still ${ti.state}.${due ? `${due}.` : ''}`;
    }
    return `DAG ${ctx.dagId}, run ${ctx.runId}: missed its deadline and is still ${info.state}.${due ? `${due}.` : ''}`;
  }
  return `DAG ${ctx.dagId}, run ${ctx.runId}: ${info.state} (${info.reason}).`;
}
