/**
 * Task signals: errors a task throws on purpose to end its attempt in a state other than "failed, retry
 * if retries remain". The task runner may load a different copy of the SDK than the DAG bundle, so the
 * signals are recognised by a registry symbol (`Symbol.for`) or their `code`, never by `instanceof`.
 */
import type { TriggerSpec } from './triggers/trigger-spec.ts';

const SIGNAL = Symbol.for('updraft.taskSignal');

/**
 * The kind of a task signal: `skip` ends the task as skipped; `fail_no_retry` fails it without
 * using the remaining retries; `reschedule` releases the worker and runs the same try again later;
 * `defer` releases the worker until a trigger fires (see `TaskDeferred`).
 *
 * @example
 * ```ts
 * const kind: TaskSignal = taskSignalOf(error) ?? 'skip';
 * ```
 */
export type TaskSignal = 'skip' | 'fail_no_retry' | 'reschedule' | 'defer';

const CODES: Record<string, TaskSignal> = {
  skip_task: 'skip',
  fail_no_retry: 'fail_no_retry',
  reschedule_task: 'reschedule',
  task_deferred: 'defer',
};

/**
 * Throw from a task to mark it skipped (Airflow's `AirflowSkipException`). Downstream tasks then follow
 * their trigger rules (with the default `all_success` they are skipped too).
 *
 * @example
 * ```ts
 * const load = task({ taskId: 'load' }, (ctx, rows: number) => {
 *   if (rows === 0) throw new SkipTask('nothing to load today');
 * });
 * ```
 */
export class SkipTask extends Error {
  readonly code = 'skip_task';
  readonly [SIGNAL]: TaskSignal = 'skip';

  constructor(message = 'The task asked to be skipped.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SkipTask';
  }
}

/**
 * Throw from a task to fail it at once, without using its remaining retries (Airflow's
 * `AirflowFailException`): for errors that a retry cannot fix, such as bad input.
 *
 * @example
 * ```ts
 * const validate = task({ taskId: 'validate', retries: 3 }, (ctx) => {
 *   if (!ctx.params.table) throw new FailNoRetry('param "table" is required; trigger again with it set');
 * });
 * ```
 */
export class FailNoRetry extends Error {
  readonly code = 'fail_no_retry';
  readonly [SIGNAL]: TaskSignal = 'fail_no_retry';

  constructor(message = 'The task failed and asked not to be retried.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FailNoRetry';
  }
}

/**
 * Throw from a task to give its worker back and run the same try again at a later time (Airflow's
 * `AirflowRescheduleException`, what a sensor in `reschedule` mode does between pokes). The task
 * instance waits in `up_for_reschedule`, costs nothing meanwhile, and its try number does not change.
 *
 * @example
 * ```ts
 * const waitForFile = task({ taskId: 'wait_for_file' }, async (ctx) => {
 *   if (!(await fileExists(ctx.params.key as string))) {
 *     throw new RescheduleTask({ afterSeconds: 300 }); // look again in five minutes
 *   }
 * });
 * ```
 */
export class RescheduleTask extends Error {
  readonly code = 'reschedule_task';
  readonly [SIGNAL]: TaskSignal = 'reschedule';
  /** When the task should run again. */
  readonly rescheduleDate: Date;

  constructor(when: { at: Date } | { afterSeconds: number }, message?: string) {
    const rescheduleDate = 'at' in when ? new Date(when.at.getTime()) : new Date(Date.now() + when.afterSeconds * 1000);
    if (Number.isNaN(rescheduleDate.getTime())) {
      throw new TypeError('RescheduleTask needs a valid date: pass { at: Date } or { afterSeconds: number }.');
    }
    super(message ?? `The task asked to run again at ${rescheduleDate.toISOString()}.`);
    this.name = 'RescheduleTask';
    this.rescheduleDate = rescheduleDate;
  }
}

/**
 * The date a reschedule signal carries, from this or another copy of the SDK (or a plain object with
 * `code: 'reschedule_task'` and a `rescheduleDate`); null when it carries no valid date.
 *
 * @example
 * ```ts
 * const when = rescheduleDateOf(new RescheduleTask({ afterSeconds: 60 })); // a Date a minute from now
 * ```
 */
export function rescheduleDateOf(error: unknown): Date | null {
  if (taskSignalOf(error) !== 'reschedule') return null;
  const value = (error as { rescheduleDate?: unknown }).rescheduleDate;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/**
 * Which task signal an error is, or null for an ordinary error (which fails the attempt and retries if
 * retries remain). Works across copies of the SDK and for plain objects carrying a signal `code`.
 *
 * @example
 * ```ts
 * try {
 *   await runTask();
 * } catch (error) {
 *   const signal = taskSignalOf(error); // 'skip' | 'fail_no_retry' | 'reschedule' | null
 * }
 * ```
 */
export function taskSignalOf(error: unknown): TaskSignal | null {
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return null;
  const branded = (error as { [SIGNAL]?: unknown })[SIGNAL];
  if (branded === 'skip' || branded === 'fail_no_retry' || branded === 'reschedule' || branded === 'defer') return branded;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(CODES, code) ? CODES[code]! : null;
}

/** What `ctx.defer` takes: the trigger to wait for, and how the task resumes. */
export interface DeferOptions {
  /** A built-in trigger (`dateTimeTrigger`, `s3KeyTrigger`...) or a custom one made with `defineTrigger`. */
  trigger: TriggerSpec;
  /** Names the continuation; the resumed run sees it as `ctx.resume.method` (default `execute_complete`). */
  method?: string;
  /** JSON arguments handed to the resumed run as `ctx.resume.kwargs`. */
  kwargs?: Record<string, unknown>;
  /** Seconds to wait at most: after that the attempt fails (retries apply), as Airflow's trigger timeout. */
  timeout?: number;
}

/** The method a resumed task continues in when `ctx.defer` named none (Airflow's usual name). */
export const DEFAULT_RESUME_METHOD = 'execute_complete';

/**
 * Thrown by `ctx.defer` (Airflow's `TaskDeferred`): the attempt gives its worker back and waits, in
 * state `deferred` and costing nothing, until its trigger fires; then the same try runs the same task
 * function again with `ctx.resume` set. Throw it through `ctx.defer` rather than by hand.
 *
 * @example
 * ```ts
 * const wait = task({ taskId: 'wait' }, (ctx) => {
 *   if (!ctx.resume) throw new TaskDeferred({ trigger: timeDeltaTrigger(300) }); // same as ctx.defer(...)
 * });
 * ```
 */
export class TaskDeferred extends Error {
  readonly code = 'task_deferred';
  readonly [SIGNAL]: TaskSignal = 'defer';
  readonly trigger: TriggerSpec;
  readonly method: string;
  readonly kwargs: Record<string, unknown> | null;
  /** Seconds until the wait gives up, or null for no limit. */
  readonly timeoutSeconds: number | null;

  constructor(options: DeferOptions) {
    const trigger = options?.trigger as TriggerSpec | undefined;
    if (typeof trigger !== 'object' || trigger === null || typeof trigger.kind !== 'string' || trigger.kind === '') {
      throw new TypeError('ctx.defer needs { trigger }: a spec from dateTimeTrigger, s3KeyTrigger, ... or a defineTrigger trigger.');
    }
    const method = options.method ?? DEFAULT_RESUME_METHOD;
    if (typeof method !== 'string' || method === '') throw new TypeError('ctx.defer: "method" must be a non-empty string.');
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
      throw new TypeError(`ctx.defer: "timeout" must be a positive number of seconds; got ${JSON.stringify(timeout)}.`);
    }
    super(`The task deferred itself until its "${trigger.kind}" trigger fires.`);
    this.name = 'TaskDeferred';
    this.trigger = { kind: trigger.kind, kwargs: { ...(trigger.kwargs ?? {}) } };
    this.method = method;
    this.kwargs = options.kwargs === undefined ? null : { ...options.kwargs };
    this.timeoutSeconds = timeout ?? null;
  }
}

/**
 * The deferral a signal carries, from this or another copy of the SDK (or a plain object with
 * `code: 'task_deferred'`); null for anything else.
 *
 * @example
 * ```ts
 * const deferral = deferralOf(new TaskDeferred({ trigger: timeDeltaTrigger(60) })); // { trigger, method: 'execute_complete', ... }
 * ```
 */
export function deferralOf(
  error: unknown,
): { trigger: TriggerSpec; method: string; kwargs: Record<string, unknown> | null; timeoutSeconds: number | null } | null {
  if (taskSignalOf(error) !== 'defer') return null;
  const { trigger, method, kwargs, timeoutSeconds } = error as Partial<TaskDeferred>;
  if (typeof trigger !== 'object' || trigger === null || typeof trigger.kind !== 'string') return null;
  return {
    trigger: { kind: trigger.kind, kwargs: typeof trigger.kwargs === 'object' && trigger.kwargs !== null ? trigger.kwargs : {} },
    method: typeof method === 'string' && method !== '' ? method : DEFAULT_RESUME_METHOD,
    kwargs: typeof kwargs === 'object' && kwargs !== null ? kwargs : null,
    timeoutSeconds: typeof timeoutSeconds === 'number' && timeoutSeconds > 0 ? timeoutSeconds : null,
  };
}
