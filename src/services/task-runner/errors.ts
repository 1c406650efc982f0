import { UpdraftError } from '../../core/errors.ts';

/** Failures of an attempt that the runner itself detects (the task's own errors pass through as they are). */

export class BundleNotFoundError extends UpdraftError {
  constructor(bundleKey: string) {
    super(
      'bundle_not_found',
      `The DAG bundle "${bundleKey}" is not in the object store. The DAG version may have been removed; ` +
        'upload the DAG file again so the DAG processor stores a new bundle, then clear the task.',
    );
  }
}

/** The bundle has no such DAG or task: the version the run uses does not define it. Retrying cannot help. */
export class TaskNotFoundError extends UpdraftError {
  constructor(message: string) {
    super('task_not_found', message);
  }
}

export class TemplateRenderError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('template_render', message, options);
  }
}

export class ExecutionTimeoutError extends UpdraftError {
  constructor(seconds: number) {
    super(
      'execution_timeout',
      `The task ran longer than its executionTimeout of ${seconds}s and was stopped. ` +
        'Raise executionTimeout if the task needs more time, or make it faster.',
    );
  }
}

/** The worker (a Lambda invocation) is about to run out of time; the attempt ends before it is killed. */
export class WorkerDeadlineError extends UpdraftError {
  constructor() {
    super(
      'worker_deadline',
      'The worker was about to reach its own time limit (the Lambda timeout), so the task was stopped. ' +
        'Run long tasks on an executor without that limit (executor: "fargate"), or make the task shorter.',
    );
  }
}

export class XComValueError extends UpdraftError {
  constructor(message: string) {
    super('xcom_value', message);
  }
}

export class UnsupportedOperatorError extends UpdraftError {
  constructor(operator: string, taskId: string) {
    super(
      'unsupported_operator',
      `Task "${taskId}" uses operator "${operator}", which this worker cannot run. ` +
        'Upgrade the Updraft workers to a version that supports it.',
    );
  }
}

/** A bash command ended with a non-zero exit code other than the skip code. */
export class BashCommandError extends UpdraftError {
  readonly exitCode: number | null;

  constructor(exitCode: number | null, signal: string | null) {
    super(
      'bash_failed',
      exitCode === null
        ? `Bash command was killed by signal ${signal ?? 'unknown'}.`
        : `Bash command failed. The command returned a non-zero exit code ${exitCode}.`,
    );
    this.exitCode = exitCode;
  }
}

/** A task asked for a variable no secrets backend defines, and gave no default. */
export class VariableNotDefinedError extends UpdraftError {
  constructor(message: string) {
    super('variable_not_found', message);
  }
}

/** A task callback (onSuccess, onFailure, ...) did not end within its time limit; it is abandoned. */
export class CallbackTimeoutError extends UpdraftError {
  constructor(timeoutMs: number) {
    super(
      'callback_timeout',
      `The callback did not finish within ${timeoutMs / 1000}s and was abandoned. ` +
        'Make it faster, or pass ctx.signal to fetch and other slow calls so they stop in time.',
    );
  }
}
