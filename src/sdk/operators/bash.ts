import { requireBuilder, type DagBuilder } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from '../task-options.ts';
import { refuseNestedMapping, requireMappedInputs, toMapSource, type MapArg } from '../mapping.ts';
import type { MappedInput } from '../mapping-types.ts';
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

type BashTemplateField = (typeof BASH_TEMPLATE_FIELDS)[number];

/**
 * Options of `bash.partial()`: those of `bash()`, with the fields that `expand()` maps left out
 * (`bashCommand` becomes optional; a field is either fixed here or mapped there).
 *
 * @example
 * ```ts
 * const options: BashPartialOptions = { taskId: 'count_rows', env: { TZ: 'UTC' } };
 * ```
 */
export type BashPartialOptions = Omit<BashOptions, 'bashCommand'> & { bashCommand?: string };

/**
 * What `bash.partial(...).expand()` maps over, by template field: a list literal, or the output of a
 * task that returns a list. Each instance gets one element per mapped field (cross product).
 *
 * @example
 * ```ts
 * const fields: BashExpandFields = { bashCommand: ['echo a', 'echo b'] };
 * ```
 */
export interface BashExpandFields {
  bashCommand?: MapArg<string>;
  env?: MapArg<Record<string, string>>;
  cwd?: MapArg<string>;
}

/**
 * A bash task with its fixed options, as `bash.partial()` returns it: `expand()` adds the mapped task.
 *
 * @example
 * ```ts
 * const counter: BashPartial = bash.partial({ taskId: 'count' });
 * counter.expand({ bashCommand: ['wc -l a.csv', 'wc -l b.csv'] });
 * ```
 */
export interface BashPartial {
  /** Adds the mapped task: one instance per combination of the fields' elements (last field fastest). */
  expand(fields: BashExpandFields): TaskRef<string[]>;
}

/** Why a template field's value is invalid, or null. The same rule holds for each element of a mapped list. */
const FIELD_PROBLEMS: Record<BashTemplateField, (value: unknown) => string | null> = {
  bashCommand: (value) => (typeof value === 'string' && value.trim() !== '' ? null : 'must be a non-empty string'),
  env: (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string')
      ? null
      : 'must map variable names to strings',
  cwd: (value) => (typeof value === 'string' && value !== '' ? null : 'must be a non-empty path'),
};

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
  return addBashTask('bash', options, null) as TaskRef<string>;
}

/**
 * Prepares a mapped bash task (Airflow's `BashOperator.partial(...).expand(...)`): `options` are fixed
 * for every instance; `expand(fields)` maps template fields (`bashCommand`, `env`, `cwd`) over lists
 * and adds the task, one instance per combination of elements. Its output is the list of the
 * instances' last stdout lines, by map index. Call `expand()` inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { bash, dag, task } from 'updraft/sdk';
 *
 * const tables = task(function tables() { return ['orders', 'customers']; });
 *
 * export default dag({ dagId: 'vacuum_all' }, () => {
 *   bash.partial({ taskId: 'vacuum', env: { PGAPPNAME: 'updraft' } }).expand({
 *     bashCommand: ['psql -c "VACUUM orders"', 'psql -c "VACUUM customers"'],
 *   });
 *   bash.partial({ taskId: 'echo_table', bashCommand: 'echo "$TABLE"' }).expand({ env: [{ TABLE: 'a' }, { TABLE: 'b' }] });
 * });
 * ```
 */
bash.partial = function partial(options: BashPartialOptions): BashPartial {
  return Object.freeze({ expand: (fields: BashExpandFields) => addBashTask('bash.partial', options, fields) as TaskRef<string[]> });
};

/** `mapped` null: a plain task; otherwise the fields `expand()` maps. */
function addBashTask(label: string, options: BashPartialOptions, mapped: BashExpandFields | null): TaskRef<unknown> {
  const builder = requireBuilder(`${label}({ taskId: ${describe(options?.taskId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: ${label}() needs an options object, got ${describe(options)}.`);
  }
  const where = builder.where(typeof options.taskId === 'string' ? options.taskId : undefined);
  const idProblem = invalidIdReason(options.taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: ${label}() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, BASH_OPTION_KEYS);

  const expandInputs = mapped === null ? undefined : bashExpandInputs(builder, where, options, mapped);
  const mappedFields = new Set((expandInputs ?? []).map((input) => (input.target as { name: string }).name));
  const templateFields: Record<string, unknown> = {};
  for (const field of BASH_TEMPLATE_FIELDS) {
    const value = options[field];
    if (mappedFields.has(field) || (value === undefined && field !== 'bashCommand')) continue;
    const problem = FIELD_PROBLEMS[field](value);
    if (problem) throw new DagDefinitionError(`${where}: ${field} ${problem}, got ${describe(value)}.`);
    templateFields[field] = field === 'env' ? { ...(value as Record<string, string>) } : value;
  }
  if (options.doXcomPush !== undefined && typeof options.doXcomPush !== 'boolean') {
    throw new DagDefinitionError(`${where}: doXcomPush must be true or false, got ${describe(options.doXcomPush)}.`);
  }

  return builder.addTask({
    taskId: options.taskId,
    operator: 'bash',
    upstreamTaskIds: new Set(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    templateFields,
    args: [],
    ...(expandInputs !== undefined ? { expandInputs } : {}),
    doXcomPush: options.doXcomPush ?? true,
  });
}

function bashExpandInputs(builder: DagBuilder, where: string, options: BashPartialOptions, fields: BashExpandFields): MappedInput[] {
  refuseNestedMapping(builder, where);
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new DagDefinitionError(
      `${where}: expand() takes an object mapping template fields (${BASH_TEMPLATE_FIELDS.join(', ')}) to lists, got ${describe(fields)}.`,
    );
  }
  const names = Object.keys(fields).filter((name) => (fields as Record<string, unknown>)[name] !== undefined);
  requireMappedInputs(where, names.length);
  return names.map((name): MappedInput => {
    if (!(BASH_TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      throw new DagDefinitionError(`${where}: expand() maps template fields (${BASH_TEMPLATE_FIELDS.join(', ')}); "${name}" is not one.`);
    }
    const field = name as BashTemplateField;
    if (options[field] !== undefined) {
      throw new DagDefinitionError(`${where}: ${field} is given both to partial() and to expand(); fix it in partial() or map it in expand(), not both.`);
    }
    const source = toMapSource(builder, where, fields[field], field);
    if (source.kind === 'literal') {
      source.values.forEach((value, index) => {
        const problem = FIELD_PROBLEMS[field](value);
        if (problem) throw new DagDefinitionError(`${where}: ${field}[${index}] ${problem}, got ${describe(value)}.`);
      });
    }
    return { target: { kind: 'field', name: field }, source };
  });
}
