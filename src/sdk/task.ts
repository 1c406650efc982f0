import type { TaskContext } from './context.ts';
import { requireBuilder } from './dag-builder.ts';
import { DagDefinitionError } from './errors.ts';
import { jsonProblem } from './json-check.ts';
import type { TaskArg, TaskFunction } from './task-definition.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from './task-options.ts';
import { isTaskRef, isXComArg, ownerOf, type TaskRef, type XComArg } from './task-ref.ts';

/**
 * Options of a TaskFlow task: every task option, plus `doXcomPush`. Without `taskId` the id is the
 * function's name.
 *
 * @example
 * ```ts
 * const options: TaskflowOptions = { taskId: 'extract', retries: 2, doXcomPush: true };
 * ```
 */
export interface TaskflowOptions extends TaskOptions {
  /** Push the return value as the `return_value` XCom (default true). */
  doXcomPush?: boolean;
}

/**
 * An argument of a TaskFlow call: a literal value, or the output of another task that produces it.
 *
 * @example
 * ```ts
 * const arg: TaskflowArg<number> = 3; // or a TaskRef<number>, or ref.output<number>('count')
 * ```
 */
export type TaskflowArg<T> = T | TaskRef<T> | XComArg<T>;

/**
 * What `task()` returns: call it inside a DAG's build function to add the task. Each call adds one
 * task; calling it again in the same DAG adds another one with a suffixed id (`extract__1`).
 *
 * @example
 * ```ts
 * const double = task(function double(ctx, n: number) { return n * 2; });
 * dag({ dagId: 'math' }, () => {
 *   double(double(1)); // tasks "double" and "double__1"
 * });
 * ```
 */
export type TaskFactory<A extends unknown[], R> = ((...args: { [K in keyof A]: TaskflowArg<A[K]> }) => TaskRef<Awaited<R>>) & {
  /** The id the first call uses. */
  readonly taskId: string;
};

export const TASKFLOW_OPTION_KEYS = [...TASK_OPTION_KEYS, 'doXcomPush'] as const;

/**
 * Declares a TaskFlow task (Airflow's `@task`): `fn` runs on a worker with the task context first and
 * the task's arguments after it; its return value becomes the task's `return_value` XCom. Calling the
 * returned factory inside a DAG's build function adds the task; passing another task's reference as an
 * argument makes that task upstream and hands its return value over.
 *
 * @example
 * ```ts
 * import { dag, task } from 'updraft/sdk';
 *
 * const extract = task({ taskId: 'extract', retries: 2 }, async (ctx) => [1, 2, 3]);
 * const total = task(function total(ctx, values: number[]) {
 *   return values.reduce((sum, value) => sum + value, 0);
 * });
 *
 * export default dag({ dagId: 'sum_daily', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   total(extract());
 * });
 * ```
 */
export function task<A extends unknown[], R>(fn: (ctx: TaskContext, ...args: A) => R): TaskFactory<A, R>;
export function task<A extends unknown[], R>(options: TaskflowOptions, fn: (ctx: TaskContext, ...args: A) => R): TaskFactory<A, R>;
export function task(first: unknown, second?: unknown): TaskFactory<unknown[], unknown> {
  return taskflowFactory('task', first, second, TASKFLOW_OPTION_KEYS, () => ({ operator: 'taskflow' }));
}

/** Operator-specific fields of a TaskFlow-style draft (`branch`, `shortCircuit` reuse `task`'s factory). */
export type TaskflowKindFields =
  | { operator: 'taskflow' }
  | { operator: 'branch' }
  | { operator: 'short_circuit'; ignoreDownstreamTriggerRules: boolean };

/**
 * The factory behind `task()` and the TaskFlow-style operators: `label` names the SDK function in
 * messages, `optionKeys` are the options it accepts, `kind` gives the operator's own fields.
 */
export function taskflowFactory<O extends TaskflowOptions>(
  label: string,
  first: unknown,
  second: unknown,
  optionKeys: readonly string[],
  kind: (options: O, where: string) => TaskflowKindFields,
): TaskFactory<unknown[], unknown> {
  const options = (typeof first === 'function' ? {} : first) as O;
  const fn = (typeof first === 'function' ? first : second) as TaskFunction;
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${label}(options, fn): options must be an object, got ${describe(options)}.`);
  }
  if (typeof fn !== 'function') {
    throw new DagDefinitionError(`${label}(options, fn): fn must be a function, got ${describe(fn)}.`);
  }
  const baseId = options.taskId ?? fn.name;
  if (!baseId) {
    throw new DagDefinitionError(
      `${label}(fn) got an anonymous function: give the function a name (${label}(function extract(ctx) { ... })) or pass options.taskId.`,
    );
  }
  const idProblem = invalidIdReason(baseId);
  if (idProblem) throw new DagDefinitionError(`task "${String(baseId)}": the task id ${idProblem}.`);
  rejectUnknownKeys(`task "${baseId}"`, options, optionKeys);
  const kindFields = kind(options, `task "${baseId}"`);
  if (options.doXcomPush !== undefined && typeof options.doXcomPush !== 'boolean') {
    throw new DagDefinitionError(`task "${baseId}": doXcomPush must be true or false, got ${describe(options.doXcomPush)}.`);
  }

  const factory = (...callArgs: unknown[]): TaskRef<unknown> => {
    const builder = requireBuilder(`Task "${baseId}"`);
    const taskId = builder.uniqueTaskflowId(baseId);
    const where = builder.where(taskId);
    const args = callArgs.map((value, index): TaskArg => {
      if (isTaskRef(value) || isXComArg(value)) {
        if (ownerOf(value) !== builder) {
          throw new DagDefinitionError(
            `${where}: argument ${index + 1} is the output of task "${value.taskId}" from another DAG; a task can only use outputs of its own DAG.`,
          );
        }
        return { kind: 'xcom', taskId: value.taskId, key: isXComArg(value) ? value.key : 'return_value' };
      }
      const problem = jsonProblem(value, `argument ${index + 1}`);
      if (problem) throw new DagDefinitionError(`${where}: ${problem}. Literal arguments are stored as JSON.`);
      // Keep exactly what the serialized DAG will hold, so later mutation in the build cannot diverge.
      return { kind: 'literal', value: JSON.parse(JSON.stringify(value)) as unknown };
    });
    return builder.addTask({
      taskId,
      ...kindFields,
      upstreamTaskIds: new Set(),
      ...resolveTaskOptions(where, options, builder.defaultArgs),
      templateFields: {},
      args,
      doXcomPush: options.doXcomPush ?? true,
      fn,
    });
  };
  Object.defineProperty(factory, 'taskId', { value: baseId, enumerable: true });
  return factory as TaskFactory<unknown[], unknown>;
}
