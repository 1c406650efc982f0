import type { TaskContext } from './context.ts';
import { requireBuilder } from './dag-builder.ts';
import { DagDefinitionError } from './errors.ts';
import type { MapItem } from './map-item.ts';
import { refuseNestedMapping, requireMappedInputs, toMapSource, type MapArgs } from './mapping.ts';
import type { MappedInput } from './mapping-types.ts';
import { toTaskArg } from './task-args.ts';
import type { TaskArg, TaskFunction } from './task-definition.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from './task-options.ts';
import type { TaskRef, XComArg } from './task-ref.ts';

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
 * An argument of a TaskFlow call: a literal value, the output of another task that produces it, or
 * (inside a mapped task group) the group's item.
 *
 * @example
 * ```ts
 * const arg: TaskflowArg<number> = 3; // or a TaskRef<number>, or ref.output<number>('count')
 * ```
 */
export type TaskflowArg<T> = T | TaskRef<T> | XComArg<T> | MapItem<T>;

/**
 * One `TaskflowArg` per parameter of the tuple `A`: what a TaskFlow call takes.
 *
 * @example
 * ```ts
 * const args: TaskflowArgs<[string, number]> = ['orders', countRows()];
 * ```
 */
export type TaskflowArgs<A extends readonly unknown[]> = { [K in keyof A]: TaskflowArg<A[K]> };

/**
 * The tuple `A` without its first `N` elements.
 *
 * @example
 * ```ts
 * type Rest = DropFirst<[string, number, boolean], 1>; // [number, boolean]
 * ```
 */
export type DropFirst<A extends readonly unknown[], N extends number, Dropped extends unknown[] = []> = Dropped['length'] extends N
  ? A
  : A extends readonly [unknown?, ...infer Rest]
    ? DropFirst<Rest, N, [...Dropped, unknown]>
    : A;

/** Every prefix of the tuple `A` (the empty one included). */
type Prefixes<A extends readonly unknown[]> = A extends readonly [...infer Init, unknown] ? A | Prefixes<Init> : A;

/**
 * A TaskFlow task with some arguments fixed (`partial()`): `expand()` maps over the remaining ones.
 *
 * @example
 * ```ts
 * const perTable: MappedTaskPartial<[string], number> = load.partial('warehouse');
 * perTable.expand(['orders', 'customers']); // load('warehouse', 'orders'), load('warehouse', 'customers')
 * ```
 */
export interface MappedTaskPartial<M extends readonly unknown[], R> {
  /** Adds the mapped task: one instance per combination of the lists' elements (last list fastest). */
  expand(...mapped: MapArgs<M>): TaskRef<Awaited<R>[]>;
}

/**
 * What `branch()` and `shortCircuit()` return: call it inside a DAG's build function to add the task.
 * Each call adds one task; calling it again in the same DAG adds another one with a suffixed id.
 *
 * @example
 * ```ts
 * const pick: TaskCallable<[], BranchChoice> = branch({ taskId: 'pick' }, () => 'full');
 * ```
 */
export type TaskCallable<A extends unknown[], R> = ((...args: TaskflowArgs<A>) => TaskRef<Awaited<R>>) & {
  /** The id the first call uses. */
  readonly taskId: string;
};

/**
 * What `task()` returns: call it inside a DAG's build function to add the task. Each call adds one
 * task; calling it again in the same DAG adds another one with a suffixed id (`extract__1`).
 * `expand()` adds a mapped task instead (Airflow's dynamic task mapping): one instance per element
 * of the lists, known when the run reaches the task; `partial()` fixes the first arguments first.
 *
 * @example
 * ```ts
 * const double = task(function double(ctx, n: number) { return n * 2; });
 * const add = task(function add(ctx, a: number, b: number) { return a + b; });
 * dag({ dagId: 'math' }, () => {
 *   double(double(1)); // tasks "double" and "double__1"
 *   const doubled = double.expand([1, 2, 3]); // "double__2": 3 instances, a TaskRef<number[]>
 *   add.partial(10).expand(doubled); // "add": 10 + 2, 10 + 4, 10 + 6
 * });
 * ```
 */
export type TaskFactory<A extends unknown[], R> = TaskCallable<A, R> & {
  /**
   * Adds a mapped task: every argument is mapped (a list literal, or a task output that is a list),
   * with one instance per combination of their elements, the last list varying fastest.
   */
  expand(...mapped: MapArgs<A>): TaskRef<Awaited<R>[]>;
  /** Fixes the first arguments (the same in every instance); `expand()` on the answer maps the rest. */
  partial<const F extends Prefixes<TaskflowArgs<A>>>(...fixed: F): MappedTaskPartial<DropFirst<A, F['length'] & number>, R>;
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
  const factory = taskflowFactory('task', first, second, TASKFLOW_OPTION_KEYS, () => ({ operator: 'taskflow' }), true);
  return factory as TaskFactory<unknown[], unknown>;
}

/** Operator-specific fields of a TaskFlow-style draft (`branch`, `shortCircuit` reuse `task`'s factory). */
export type TaskflowKindFields =
  | { operator: 'taskflow' }
  | { operator: 'branch' }
  | { operator: 'short_circuit'; ignoreDownstreamTriggerRules: boolean };

/**
 * The factory behind `task()` and the TaskFlow-style operators: `label` names the SDK function in
 * messages, `optionKeys` are the options it accepts, `kind` gives the operator's own fields, and
 * `mappable` adds `expand()` / `partial()` (only `task()`: mapped branching is not supported).
 */
export function taskflowFactory<O extends TaskflowOptions>(
  label: string,
  first: unknown,
  second: unknown,
  optionKeys: readonly string[],
  kind: (options: O, where: string) => TaskflowKindFields,
  mappable = false,
): TaskCallable<unknown[], unknown> {
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

  const add = (fixed: readonly unknown[], mapped: readonly unknown[] | null): TaskRef<unknown> => {
    const builder = requireBuilder(`Task "${baseId}"`);
    const taskId = builder.uniqueTaskflowId(baseId);
    const where = builder.where(taskId);
    const args: TaskArg[] = fixed.map((value, index) => toTaskArg(builder, where, value, `argument ${index + 1}`));
    let expandInputs: MappedInput[] | undefined;
    if (mapped !== null) {
      refuseNestedMapping(builder, where);
      requireMappedInputs(where, mapped.length);
      expandInputs = mapped.map((value, offset) => {
        const index = fixed.length + offset;
        args.push({ kind: 'mapped' });
        return { target: { kind: 'arg', index }, source: toMapSource(builder, where, value, `argument ${index + 1}`) };
      });
    }
    return builder.addTask({
      taskId,
      ...kindFields,
      upstreamTaskIds: new Set(),
      ...resolveTaskOptions(where, options, builder.defaultArgs),
      templateFields: {},
      args,
      ...(expandInputs !== undefined ? { expandInputs } : {}),
      doXcomPush: options.doXcomPush ?? true,
      fn,
    });
  };
  const factory = (...callArgs: unknown[]): TaskRef<unknown> => add(callArgs, null);
  Object.defineProperty(factory, 'taskId', { value: baseId, enumerable: true });
  if (mappable) {
    Object.defineProperties(factory, {
      expand: { value: (...mapped: unknown[]) => add([], mapped), enumerable: true },
      partial: {
        value: (...fixed: unknown[]) => Object.freeze({ expand: (...mapped: unknown[]) => add(fixed, mapped) }),
        enumerable: true,
      },
    });
  }
  return factory as TaskCallable<unknown[], unknown>;
}
