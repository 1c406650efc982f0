/**
 * Task signals: errors a task throws on purpose to end its attempt in a state other than "failed, retry
 * if retries remain". The task runner may load a different copy of the SDK than the DAG bundle, so the
 * signals are recognised by a registry symbol (`Symbol.for`) or their `code`, never by `instanceof`.
 */
const SIGNAL = Symbol.for('updraft.taskSignal');

/**
 * The kind of a task signal: `skip` ends the task as skipped; `fail_no_retry` fails it without
 * using the remaining retries.
 *
 * @example
 * ```ts
 * const kind: TaskSignal = taskSignalOf(error) ?? 'skip';
 * ```
 */
export type TaskSignal = 'skip' | 'fail_no_retry';

const CODES: Record<string, TaskSignal> = {
  skip_task: 'skip',
  fail_no_retry: 'fail_no_retry',
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
 * Which task signal an error is, or null for an ordinary error (which fails the attempt and retries if
 * retries remain). Works across copies of the SDK and for plain objects carrying a signal `code`.
 *
 * @example
 * ```ts
 * try {
 *   await runTask();
 * } catch (error) {
 *   const signal = taskSignalOf(error); // 'skip' | 'fail_no_retry' | null
 * }
 * ```
 */
export function taskSignalOf(error: unknown): TaskSignal | null {
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return null;
  const branded = (error as { [SIGNAL]?: unknown })[SIGNAL];
  if (branded === 'skip' || branded === 'fail_no_retry') return branded;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(CODES, code) ? CODES[code]! : null;
}
