import { requireBuilder } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { refuseNestedMapping, requireMappedInputs, toMapSource, type MapArg } from '../mapping.ts';
import type { MappedInput } from '../mapping-types.ts';
import { toTaskArg } from '../task-args.ts';
import type { TaskArg } from '../task-definition.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';

/**
 * Options of `pythonTask()`.
 *
 * @example
 * ```ts
 * const options: PythonTaskOptions = { taskId: 'transform', script: 'python/transform.py', callable: 'main', args: [42] };
 * ```
 */
export interface PythonTaskOptions extends TaskOptions {
  taskId: string;
  /** The script, relative to the root of the DAGs folder (e.g. `python/transform.py`); uploaded with the DAGs. */
  script: string;
  /** The function of the script to call (default `main`). It is called as `fn(context, *args)`. */
  callable?: string;
  /**
   * Arguments after the context: JSON values, or upstream tasks (their return value) and their
   * `output(key)`s, which also make those tasks upstream, as for TaskFlow.
   */
  args?: readonly unknown[];
  /** Push the callable's return value as the `return_value` XCom (default true). */
  doXcomPush?: boolean;
}

/**
 * Fields of PythonTaskOptions that the serialized task holds in its template fields.
 *
 * @example
 * ```ts
 * PYTHON_TASK_FIELDS.includes('script'); // true
 * ```
 */
export const PYTHON_TASK_FIELDS = ['script', 'callable'] as const;

const PYTHON_OPTION_KEYS = [...TASK_OPTION_KEYS, ...PYTHON_TASK_FIELDS, 'args', 'doXcomPush'] as const;
const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Adds a task that runs a function of a Python script in its own `python3` process on the worker. The
 * process talks to the Task Execution API through Updraft's Python client (standard library only):
 * the function receives Airflow's context as a dict (`ds`, `logical_date`, `params`, `ti`, ...) and
 * the task's arguments; its return value becomes the `return_value` XCom. Raise
 * `updraft_task.SkipTask` to skip, `updraft_task.FailNoRetry` to fail without retries. Stdout and
 * stderr go to the task log. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, pythonTask, task } from 'updraft/sdk';
 *
 * const extract = task({ taskId: 'extract' }, () => [3, 1, 2]);
 *
 * export default dag({ dagId: 'mixed', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   // dags/python/transform.py: def main(context, rows): return sorted(rows)
 *   pythonTask({ taskId: 'transform', script: 'python/transform.py', args: [extract()] });
 * });
 * ```
 */
export function pythonTask<T = unknown>(options: PythonTaskOptions): TaskRef<T> {
  return addPythonTask('pythonTask', options, null) as TaskRef<T>;
}

/**
 * A Python task with its fixed options (and first arguments, `options.args`), as `pythonTask.partial()`
 * returns it: `expand()` adds the mapped task.
 *
 * @example
 * ```ts
 * const perRegion: PythonTaskPartial<number> = pythonTask.partial({ taskId: 'score', script: 'python/score.py' });
 * perRegion.expand(['eu', 'us']);
 * ```
 */
export interface PythonTaskPartial<T = unknown> {
  /** Maps the arguments after `options.args`: one instance per combination of the lists' elements (last list fastest). */
  expand(...mapped: MapArg[]): TaskRef<T[]>;
}

/**
 * Prepares a mapped Python task (Airflow's `PythonOperator.partial(...).expand(op_args=...)`, by
 * position): `options.args` are the first arguments of every instance; `expand(...lists)` maps the
 * arguments after them, each over a list literal or a task output that is a list, and adds the task.
 * Its output is the list of the instances' return values, by map index.
 *
 * @example
 * ```ts
 * import { dag, pythonTask } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'scores' }, () => {
 *   // dags/python/score.py: def main(context, model, region): return len(region)
 *   pythonTask.partial({ taskId: 'score', script: 'python/score.py', args: ['v2'] }).expand(['eu', 'us', 'ap']);
 * });
 * ```
 */
pythonTask.partial = function partial<T = unknown>(options: PythonTaskOptions): PythonTaskPartial<T> {
  return Object.freeze({ expand: (...mapped: MapArg[]) => addPythonTask('pythonTask.partial', options, mapped) as TaskRef<T[]> });
};

/** `mapped` null: a plain task; otherwise the lists the arguments after `options.args` map over. */
function addPythonTask(label: string, options: PythonTaskOptions, mapped: readonly unknown[] | null): TaskRef<unknown> {
  const builder = requireBuilder(`${label}({ taskId: ${describe(options?.taskId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: ${label}() needs an options object, got ${describe(options)}.`);
  }
  const where = builder.where(typeof options.taskId === 'string' ? options.taskId : undefined);
  const idProblem = invalidIdReason(options.taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: ${label}() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, PYTHON_OPTION_KEYS);

  const scriptProblem = invalidScriptReason(options.script);
  if (scriptProblem) throw new DagDefinitionError(`${where}: script ${scriptProblem}.`);
  const callable = options.callable ?? 'main';
  if (typeof callable !== 'string' || !PYTHON_IDENTIFIER.test(callable)) {
    throw new DagDefinitionError(`${where}: callable must be the name of a Python function (e.g. "main"), got ${describe(callable)}.`);
  }
  if (options.args !== undefined && !Array.isArray(options.args)) {
    throw new DagDefinitionError(`${where}: args must be an array of arguments, got ${describe(options.args)}.`);
  }
  if (options.doXcomPush !== undefined && typeof options.doXcomPush !== 'boolean') {
    throw new DagDefinitionError(`${where}: doXcomPush must be true or false, got ${describe(options.doXcomPush)}.`);
  }
  const args: TaskArg[] = (options.args ?? []).map((value, index) => toTaskArg(builder, where, value, `args[${index}]`));
  let expandInputs: MappedInput[] | undefined;
  if (mapped !== null) {
    refuseNestedMapping(builder, where);
    requireMappedInputs(where, mapped.length);
    expandInputs = mapped.map((value, offset) => {
      const index = args.length;
      args.push({ kind: 'mapped' });
      return { target: { kind: 'arg', index }, source: toMapSource(builder, where, value, `expand() argument ${offset + 1} (args[${index}])`) };
    });
  }

  return builder.addTask({
    taskId: options.taskId,
    operator: 'python',
    upstreamTaskIds: new Set(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    templateFields: { script: options.script, callable },
    args,
    ...(expandInputs !== undefined ? { expandInputs } : {}),
    doXcomPush: options.doXcomPush ?? true,
  });
}

/** The script is fetched as `dags/<script>` from the bucket, so it must stay inside that prefix. */
function invalidScriptReason(script: unknown): string | null {
  if (typeof script !== 'string' || script === '') return `must be a path under the DAGs folder ending in .py, got ${describe(script)}`;
  if (!script.endsWith('.py')) return `must be a Python file ending in .py, got "${script}"`;
  if (script.startsWith('/') || script.includes('\\') || script.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    return `must be a relative path inside the DAGs folder, such as "python/transform.py" (no leading "/", "." or ".." parts), got "${script}"`;
  }
  return null;
}
