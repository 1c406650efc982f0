import { UpdraftError } from '../../core/errors.ts';

/** One entry of the `failures` list that ECS answers RunTask or DescribeTasks with. */
export interface EcsFailure {
  reason: string;
  detail: string | null;
  arn: string | null;
}

/**
 * RunTask did not start a task. `retryable` says whether launching the same workload later may work
 * (capacity, throttling) or whether the request itself is wrong (missing task definition, bad parameters).
 */
export class EcsRunTaskError extends UpdraftError {
  readonly retryable: boolean;
  readonly failures: EcsFailure[];
  /** How many RunTask calls were made before giving up. */
  readonly attempts: number;

  constructor(
    message: string,
    details: { retryable: boolean; failures?: EcsFailure[]; attempts: number },
    options?: { cause?: unknown },
  ) {
    super(details.retryable ? 'ecs_run_task_retryable' : 'ecs_run_task_failed', message, options);
    this.retryable = details.retryable;
    this.failures = details.failures ?? [];
    this.attempts = details.attempts;
  }
}

/** The launch settings or the request are invalid before ECS is even asked. */
export class EcsConfigurationError extends UpdraftError {
  /** Dotted name of the offending setting or request field. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('ecs_configuration', message, options);
    this.field = field;
  }
}

/** StopTask or DescribeTasks failed in a way that retrying here did not fix. */
export class EcsApiError extends UpdraftError {
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('ecs_api_error', message, options);
    this.operation = operation;
  }
}

/** An event said it was an ECS task state change but did not have that event's shape. */
export class EcsEventFormatError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ecs_event_invalid', message, options);
  }
}
