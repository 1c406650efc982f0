import type { TaskContext } from './context.ts';
import { DagDefinitionError } from './errors.ts';

/**
 * Which moment of a task attempt a callback is for (Airflow's `on_execute_callback`,
 * `on_success_callback`, `on_failure_callback`, `on_retry_callback`).
 *
 * @example
 * ```ts
 * const event: TaskCallbackEvent = 'failure';
 * ```
 */
export type TaskCallbackEvent = 'execute' | 'success' | 'failure' | 'retry';

/**
 * What a callback learns about the attempt besides the task context: the event, the state the task
 * instance is in (already reported when the callback runs, except for `execute`), and the error.
 *
 * @example
 * ```ts
 * const onFailure = (ctx: TaskContext, info: TaskCallbackInfo) => {
 *   ctx.log.error(`${ctx.taskId} is ${info.state} after try ${ctx.tryNumber} of ${info.maxTries}: ${info.error}`);
 * };
 * ```
 */
export interface TaskCallbackInfo {
  readonly event: TaskCallbackEvent;
  /** `running` for execute; then `success`, `failed` or `up_for_retry`. */
  readonly state: 'running' | 'success' | 'failed' | 'up_for_retry';
  /** For failure and retry: the error as `Name: message`; null otherwise. */
  readonly error: string | null;
  /** How many tries the task instance has in all (retries + 1). */
  readonly maxTries: number;
}

/**
 * A callback function. It runs on the worker, in the DAG bundle, after the task's outcome is decided
 * (before the task runs, for `onExecute`). Whatever it throws is written to the task log and never
 * changes the task's state.
 *
 * @example
 * ```ts
 * const logIt: TaskCallbackFunction = (ctx, info) => ctx.log.info(`${ctx.taskId}: ${info.state}`);
 * ```
 */
export type TaskCallbackFunction = (ctx: TaskContext, info: TaskCallbackInfo) => void | Promise<void>;

/**
 * An object that sends a notification (Airflow's `BaseNotifier`): anything with a `notify` method.
 * Build one with `httpNotifier`, or write your own.
 *
 * @example
 * ```ts
 * const consoleNotifier: Notifier = {
 *   name: 'console',
 *   notify: (ctx, info) => console.log(`${ctx.dagId}.${ctx.taskId} ${info.state}`),
 * };
 * ```
 */
export interface Notifier {
  /** Shown in the task log when the notifier fails. */
  readonly name?: string;
  notify(ctx: TaskContext, info: TaskCallbackInfo): void | Promise<void>;
}

/**
 * One callback: a function or a notifier.
 *
 * @example
 * ```ts
 * const callbacks: TaskCallback[] = [(ctx) => ctx.log.info('done'), httpNotifier({ connId: 'slack_alerts' })];
 * ```
 */
export type TaskCallback = TaskCallbackFunction | Notifier;

/**
 * What a callback option accepts: one callback or a list of them, run in order.
 *
 * @example
 * ```ts
 * const onFailure: TaskCallbacks = [httpNotifier({ connId: 'slack_alerts' }), (ctx) => ctx.log.warn('paged')];
 * ```
 */
export type TaskCallbacks = TaskCallback | readonly TaskCallback[];

/**
 * The callbacks of a task after `defaultArgs` were applied: a list per event (empty when none). They
 * live only in the DAG bundle; the serialized DAG does not hold them.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('load');
 * definition?.callbacks.onFailure.length; // 1
 * ```
 */
export interface ResolvedTaskCallbacks {
  readonly onExecute: readonly TaskCallback[];
  readonly onSuccess: readonly TaskCallback[];
  readonly onFailure: readonly TaskCallback[];
  readonly onRetry: readonly TaskCallback[];
}

/**
 * The task option that holds the callbacks of each event.
 *
 * @example
 * ```ts
 * CALLBACK_OPTION_KEYS.failure; // 'onFailure'
 * ```
 */
export const CALLBACK_OPTION_KEYS = {
  execute: 'onExecute',
  success: 'onSuccess',
  failure: 'onFailure',
  retry: 'onRetry',
} as const satisfies Record<TaskCallbackEvent, keyof ResolvedTaskCallbacks>;

/**
 * Whether a value is a notifier. Checked by shape, because a DAG bundle carries its own copy of the SDK.
 *
 * @example
 * ```ts
 * isNotifier(httpNotifier({ url: 'https://hooks.example.com/x' })); // true
 * ```
 */
export function isNotifier(value: unknown): value is Notifier {
  return typeof value === 'object' && value !== null && typeof (value as { notify?: unknown }).notify === 'function';
}

/** Validates one callback option and turns it into a frozen list. */
export function resolveCallbackList(where: string, option: string, value: unknown): readonly TaskCallback[] {
  if (value === undefined || value === null) return Object.freeze([]);
  const list: unknown[] = Array.isArray(value) ? value : [value];
  list.forEach((callback, index) => {
    if (typeof callback !== 'function' && !isNotifier(callback)) {
      const at = Array.isArray(value) ? `${option}[${index}]` : option;
      throw new DagDefinitionError(
        `${where}: ${at} must be a function (ctx, info) => ... or a notifier such as httpNotifier({ connId: 'slack' }), got ${typeof callback === 'object' ? 'an object without a notify method' : typeof callback}.`,
      );
    }
  });
  return Object.freeze([...(list as TaskCallback[])]);
}

/**
 * A readable name of a callback for the task log.
 *
 * @example
 * ```ts
 * callbackName(function pageOnCall() {}); // 'function pageOnCall'
 * ```
 */
export function callbackName(callback: TaskCallback): string {
  if (typeof callback === 'function') return callback.name ? `function ${callback.name}` : 'an anonymous function';
  if (typeof callback.name === 'string' && callback.name !== '') return `notifier ${callback.name}`;
  const constructorName = (callback as { constructor?: { name?: string } }).constructor?.name;
  return constructorName && constructorName !== 'Object' ? `notifier ${constructorName}` : 'a notifier';
}
