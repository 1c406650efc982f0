/**
 * Thrown while a DAG file is evaluated when a `dag()` definition is invalid. The DAG processor records
 * its message as the file's import error, so the message names the DAG, the task and the fix.
 * It does not extend Updraft's core error class because the SDK imports nothing else of Updraft's,
 * but it has the same shape: a stable `code`, a `name` and an optional `cause`.
 *
 * @example
 * ```ts
 * try {
 *   dag({ dagId: 'bad id!' }, () => {});
 * } catch (error) {
 *   if (error instanceof DagDefinitionError) console.error(error.message);
 * }
 * ```
 */
export class DagDefinitionError extends Error {
  readonly code = 'dag_definition';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DagDefinitionError';
  }
}

/**
 * Thrown by a notifier that could not deliver its notification (no URL, an HTTP error). The task runner
 * writes it to the task log; it never changes the task's state.
 *
 * @example
 * ```ts
 * throw new NotifierError('httpNotifier: POST https://hooks.example.com/x answered 404 Not Found.');
 * ```
 */
export class NotifierError extends Error {
  readonly code = 'notifier';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifierError';
  }
}
