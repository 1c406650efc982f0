/**
 * Errors carry a stable `code` (for programs), a `name` (for logs) and a message that says what was
 * wrong and what to do (for people). Wrap lower-level failures with `cause`.
 */
export class UpdraftError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A conditional write lost: the record was not in the state the writer expected. */
export class ConflictError<T = unknown> extends UpdraftError {
  /** The record as it is now, when the store could tell (null if it does not exist). */
  readonly current: T | null | undefined;

  constructor(message: string, current?: T | null, options?: { cause?: unknown }) {
    super('conflict', message, options);
    this.current = current;
  }
}

export class NotFoundError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

export class ValidationError extends UpdraftError {
  /** Dotted path of the offending field, where there is one. */
  readonly field: string | null;

  constructor(message: string, field: string | null = null, options?: { cause?: unknown }) {
    super('validation', message, options);
    this.field = field;
  }
}

export class ConfigError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}
