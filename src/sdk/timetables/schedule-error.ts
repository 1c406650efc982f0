/**
 * Thrown when a schedule cannot be understood: an invalid cron expression, an unknown preset, an unknown
 * timezone, or a non-positive interval. The DAG processor records its message as the file's import error,
 * so the message names the bad value and shows a valid example.
 * It does not extend Updraft's core error class because the SDK imports nothing else of Updraft's,
 * but it has the same shape: a stable `code`, a `name` and an optional `cause`.
 *
 * @example
 * ```ts
 * try {
 *   resolveSchedule('0 25 * * *', 'UTC');
 * } catch (error) {
 *   if (error instanceof ScheduleError) console.error(error.code, error.message); // 'invalid_schedule'
 * }
 * ```
 */
export class ScheduleError extends Error {
  readonly code = 'invalid_schedule';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScheduleError';
  }
}
