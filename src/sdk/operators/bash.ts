import { requireBuilder } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';

/**
 * Options of `bash()`. `bashCommand`, `env` and `cwd` are templates: the task runner renders them
 * (e.g. `{{ ds }}`, `{{ params.table }}`) before the command runs.
 *
 * @example
 * ```ts
 * const options: BashOptions = { taskId: 'print_date', bashCommand: 'echo {{ ds }}', env: { TZ: 'UTC' } };
 * ```
 */
export interface BashOptions extends TaskOptions {
  taskId: string;
  /** The command, run with `bash -c`. */
  bashCommand: string;
  /** Extra environment variables for the command. */
  env?: Record<string, string>;
  /** Working directory of the command. */
  cwd?: string;
  /** Push the last line of standard output as the `return_value` XCom (default true). */
  doXcomPush?: boolean;
}

/**
 * Fields of BashOptions that the task runner renders as templates.
 *
 * @example
 * ```ts
 * BASH_TEMPLATE_FIELDS.includes('bashCommand'); // true
 * ```
 */
export const BASH_TEMPLATE_FIELDS = ['bashCommand', 'env', 'cwd'] as const;

const BASH_OPTION_KEYS = [...TASK_OPTION_KEYS, ...BASH_TEMPLATE_FIELDS, 'doXcomPush'] as const;

/**
 * Adds a task that runs a shell command (Airflow's `BashOperator`). A non-zero exit code fails the
 * attempt; exit code 99 marks the task skipped. The last line of standard output is the task's
 * `return_value` XCom. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { bash, dag } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'nightly_vacuum', schedule: '0 3 * * *', startDate: '2025-01-01' }, () => {
 *   bash({ taskId: 'vacuum', bashCommand: 'psql "$DB_URL" -c "VACUUM ANALYZE {{ params.table }}"', env: { PGAPPNAME: 'updraft' } });
 * });
 * ```
 */
export function bash(options: BashOptions): TaskRef<string> {
  const builder = requireBuilder(`bash({ taskId: ${describe(options?.taskId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: bash() needs an options object, got ${describe(options)}.`);
  }
  const where = builder.where(typeof options.taskId === 'string' ? options.taskId : undefined);
  const idProblem = invalidIdReason(options.taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: bash() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, BASH_OPTION_KEYS);

  if (typeof options.bashCommand !== 'string' || options.bashCommand.trim() === '') {
    throw new DagDefinitionError(`${where}: bashCommand must be a non-empty string, got ${describe(options.bashCommand)}.`);
  }
  const templateFields: Record<string, unknown> = { bashCommand: options.bashCommand };
  if (options.env !== undefined) {
    const env = options.env as unknown;
    const valid =
      typeof env === 'object' && env !== null && !Array.isArray(env) && Object.values(env).every((value) => typeof value === 'string');
    if (!valid) throw new DagDefinitionError(`${where}: env must map variable names to strings, got ${describe(env)}.`);
    templateFields.env = { ...options.env };
  }
  if (options.cwd !== undefined) {
    if (typeof options.cwd !== 'string' || options.cwd === '') {
      throw new DagDefinitionError(`${where}: cwd must be a non-empty path, got ${describe(options.cwd)}.`);
    }
    templateFields.cwd = options.cwd;
  }
  if (options.doXcomPush !== undefined && typeof options.doXcomPush !== 'boolean') {
    throw new DagDefinitionError(`${where}: doXcomPush must be true or false, got ${describe(options.doXcomPush)}.`);
  }

  return builder.addTask<string>({
    taskId: options.taskId,
    operator: 'bash',
    upstreamTaskIds: new Set(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    templateFields,
    args: [],
    doXcomPush: options.doXcomPush ?? true,
  });
}
