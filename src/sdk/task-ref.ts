import { DagDefinitionError } from './errors.ts';

const TASK_REF = Symbol.for('updraft.taskRef');
const XCOM_ARG = Symbol.for('updraft.xcomArg');
/** Type-only brand carrying a task's output type; never present at runtime. */
declare const OUTPUT: unique symbol;

/**
 * Anything that may stand where one task or several are expected: a reference or a list of them.
 *
 * @example
 * ```ts
 * const upstream: TaskRefOrList = [extractA(), extractB()];
 * load().setUpstream(upstream);
 * ```
 */
export type TaskRefOrList = TaskRef<unknown> | readonly TaskRef<unknown>[];

/**
 * One named output (XCom) of a task, usable as an argument of a TaskFlow task: the task then runs
 * after that task and receives the XCom's value.
 *
 * @example
 * ```ts
 * const stats = extract();
 * report(stats.output('row_count'));
 * ```
 */
export interface XComArg<T = unknown> {
  readonly taskId: string;
  readonly key: string;
  readonly [XCOM_ARG]: true;
  readonly [OUTPUT]?: T;
}

/**
 * A task of the DAG being built, as returned by a TaskFlow call, `bash()` or `empty()`. Pass it to
 * another TaskFlow task to use its return value, or wire it with `chain()`, `setUpstream()` and
 * `setDownstream()`. It deliberately has no `then`, so awaiting it by mistake does nothing odd.
 *
 * @example
 * ```ts
 * const start = empty({ taskId: 'start' });
 * const rows = extract();
 * rows.setUpstream(start);
 * load(rows); // load runs after extract and receives its return value
 * ```
 */
export interface TaskRef<T = unknown> {
  readonly taskId: string;
  readonly dagId: string;
  readonly [TASK_REF]: true;
  readonly [OUTPUT]?: T;
  /** Makes the given task(s) run before this one. Accepts tasks and lists of tasks. */
  setUpstream(...tasks: TaskRefOrList[]): void;
  /** Makes the given task(s) run after this one. Accepts tasks and lists of tasks. */
  setDownstream(...tasks: TaskRefOrList[]): void;
  /** Another XCom of this task than its return value, as a TaskFlow argument. */
  output<U = unknown>(key?: string): XComArg<U>;
}

/** What a task reference needs from the DAG being built. */
export interface TaskRefOwner {
  readonly dagId: string;
  addEdge(upstreamTaskId: string, downstreamTaskId: string): void;
}

/** The DAG each reference of this SDK copy belongs to; references of other copies are foreign. */
const owners = new WeakMap<object, TaskRefOwner>();

/**
 * Whether a value is a task reference (of any copy of the SDK).
 *
 * @example
 * ```ts
 * isTaskRef(empty({ taskId: 'start' })); // true (inside a dag build function)
 * ```
 */
export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === 'object' && value !== null && (value as { [TASK_REF]?: unknown })[TASK_REF] === true;
}

/**
 * Whether a value is an XCom argument made by `TaskRef.output()`.
 *
 * @example
 * ```ts
 * isXComArg(rows.output('count')); // true
 * ```
 */
export function isXComArg(value: unknown): value is XComArg {
  return typeof value === 'object' && value !== null && (value as { [XCOM_ARG]?: unknown })[XCOM_ARG] === true;
}

/** The DAG a reference belongs to, or null for a reference made by another copy of the SDK. */
export function ownerOf(ref: TaskRef<unknown> | XComArg<unknown>): TaskRefOwner | null {
  return owners.get(ref) ?? null;
}

/** Flattens the arguments of setUpstream/setDownstream and checks each is a reference of `owner`. */
export function toTaskIds(owner: TaskRefOwner, method: string, items: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    for (const candidate of Array.isArray(item) ? item : [item]) {
      if (!isTaskRef(candidate)) {
        throw new DagDefinitionError(
          `DAG "${owner.dagId}": ${method}() accepts task references and lists of them (what a TaskFlow call, bash() or empty() returns), got ${typeof candidate === 'object' ? JSON.stringify(candidate) : String(candidate)}.`,
        );
      }
      if (ownerOf(candidate) !== owner) {
        throw new DagDefinitionError(
          `DAG "${owner.dagId}": ${method}() got task "${candidate.taskId}" of DAG "${candidate.dagId}"; dependencies can only join tasks of the same DAG.`,
        );
      }
      ids.push(candidate.taskId);
    }
  }
  return ids;
}

export function createTaskRef<T>(owner: TaskRefOwner, taskId: string): TaskRef<T> {
  const ref: TaskRef<T> = {
    taskId,
    dagId: owner.dagId,
    [TASK_REF]: true,
    setUpstream(...tasks: TaskRefOrList[]): void {
      for (const upstream of toTaskIds(owner, 'setUpstream', tasks)) owner.addEdge(upstream, taskId);
    },
    setDownstream(...tasks: TaskRefOrList[]): void {
      for (const downstream of toTaskIds(owner, 'setDownstream', tasks)) owner.addEdge(taskId, downstream);
    },
    output<U>(key = 'return_value'): XComArg<U> {
      if (typeof key !== 'string' || key === '') {
        throw new DagDefinitionError(`DAG "${owner.dagId}", task "${taskId}": output() needs a non-empty XCom key.`);
      }
      const arg: XComArg<U> = Object.freeze({ taskId, key, [XCOM_ARG]: true as const });
      owners.set(arg, owner);
      return arg;
    },
  };
  Object.freeze(ref);
  owners.set(ref, owner);
  return ref;
}
