import {
  callbackName,
  CALLBACK_OPTION_KEYS,
  snsDeliveryOf,
  type TaskCallback,
  type TaskCallbackEvent,
  type TaskCallbackInfo,
  type TaskContext,
  type TaskDefinition,
} from '../../sdk/index.ts';
import type { FinishTaskRequest } from '../../http/execution-api-client.ts';
import { CallbackTimeoutError } from './errors.ts';
import { describeError } from './task-log.ts';
import { defaultSnsPublish, deliverSns, type SnsPublish } from './sns-publisher.ts';

/** Airflow gives callbacks no limit; a worker must, or one hung webhook holds the Lambda to its end. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;

export interface CallbackRunOptions {
  /** Where callback errors and timeouts go: the attempt's task log. */
  log: { info(message: string): void; error(message: string): void };
  /** The context a callback receives, with `signal` aborted when its time is up. */
  contextFor(signal: AbortSignal): TaskContext;
  timeoutMs: number;
  /** How `snsNotifier`s publish (default: the worker's SNS client). */
  publishSns?: SnsPublish;
}

/** The Airflow name of each event's callback, as users know it from logs and docs. */
const AIRFLOW_NAMES: Record<TaskCallbackEvent, string> = {
  execute: 'on_execute_callback',
  success: 'on_success_callback',
  failure: 'on_failure_callback',
  retry: 'on_retry_callback',
};

/** The callbacks a task has for an event; none for a bundle built by an SDK without callbacks. */
export function callbacksOf(task: TaskDefinition, event: TaskCallbackEvent): readonly TaskCallback[] {
  return (task.callbacks as TaskDefinition['callbacks'] | undefined)?.[CALLBACK_OPTION_KEYS[event]] ?? [];
}

/**
 * The callback event for a reported end, or null when none runs (skipped, rescheduled, deferred, as in
 * Airflow). A failure becomes a retry by the rule the Execution API applies (finishedStateFor): it
 * was retryable and tries are left.
 */
export function callbackEventFor(
  finish: Pick<FinishTaskRequest, 'state' | 'retryable' | 'error'>,
  tryNumber: number,
  maxTries: number,
): { event: TaskCallbackEvent; state: TaskCallbackInfo['state']; error: string | null } | null {
  if (finish.state === 'success') return { event: 'success', state: 'success', error: null };
  if (finish.state === 'failed' || finish.state === 'up_for_retry') {
    const retries = (finish.state === 'up_for_retry' || finish.retryable !== false) && tryNumber < maxTries;
    return retries
      ? { event: 'retry', state: 'up_for_retry', error: finish.error ?? null }
      : { event: 'failure', state: 'failed', error: finish.error ?? null };
  }
  return null;
}

/**
 * Runs the callbacks of one event in order, each awaited with a time limit. A callback that throws or
 * runs out of time is written to the log and the next one still runs: callbacks never change the
 * task's state, and this never throws.
 */
export async function runTaskCallbacks(
  callbacks: readonly TaskCallback[],
  info: TaskCallbackInfo,
  options: CallbackRunOptions,
): Promise<void> {
  if (callbacks.length === 0) return;
  const airflowName = AIRFLOW_NAMES[info.event];
  options.log.info(`Running ${callbacks.length} ${airflowName}${callbacks.length === 1 ? '' : 's'}.`);
  for (const [index, callback] of callbacks.entries()) {
    const label = `${airflowName} ${index + 1} (${callbackName(callback)})`;
    try {
      await runWithTimeLimit(callback, info, options);
    } catch (error) {
      options.log.error(`The ${label} failed; the task's state is unchanged: ${describeError(error)}`);
    }
  }
}

async function runWithTimeLimit(callback: TaskCallback, info: TaskCallbackInfo, options: CallbackRunOptions): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallbackTimeoutError(options.timeoutMs);
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
  });
  try {
    const work = Promise.resolve().then(() => {
      const ctx = options.contextFor(controller.signal);
      // An snsNotifier only describes its notification: the runner, which has the AWS SDK, publishes it.
      const sns = snsDeliveryOf(callback);
      if (sns) return deliverSns(sns, { ctx, info }, options.publishSns ?? defaultSnsPublish());
      return typeof callback === 'function' ? callback(ctx, info) : callback.notify(ctx, info);
    });
    // A callback that outlives its limit may still reject later; that must not crash the worker.
    work.catch(() => {});
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
