import { DagDefinitionError } from './errors.ts';

const TASK_REF = Symbol.for('updraft.taskRef');
const XCOM_ARG = Symbol.for('updraft.xcomArg');
const TASK_GROUP = Symbol.for('updraft.taskGroup');
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
export type TaskRefOrList = DependencyNode | readonly DependencyNode[];

/**
 * What dependencies can join: a task, or a task group (standing for its leaves when upstream and for
 * its roots when downstream, as in Airflow).
 *
 * @example
 * ```ts
 * const nodes: DependencyNode[] = [extract(), transformGroup];
 * ```
 */
export type DependencyNode = TaskRef<unknown> | TaskGroupRef;

/**
 * A task group of the DAG being built, as `taskGroup()` returns it. Wire it like a task: as an upstream
 * it stands for its leaves (tasks with no downstream inside the group), as a downstream for its roots.
 *
 * @example
 * ```ts
 * const transform = taskGroup({ groupId: 'transform' }, () => { clean(); enrich(); });
 * transform.setUpstream(extract());
 * transform.setDownstream(load());
 * ```
 */
export interface TaskGroupRef {
  /** The group's full id (`outer.inner` when nested under a prefixing group). */
  readonly groupId: string;
  readonly dagId: string;
  readonly [TASK_GROUP]: true;
  /** Makes the given task(s) or group(s) run before every root of this group. */
  setUpstream(...tasks: TaskRefOrList[]): void;
  /** Makes every leaf of this group run before the given task(s) or group(s). */
  setDownstream(...tasks: TaskRefOrList[]): void;
}

/** Which end of a group a dependency uses: its leaves when it is upstream, its roots when downstream. */
export type DependencyRole = 'upstream' | 'downstream';

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
  /** Marks the task as a setup task (Airflow's `as_setup()`); returns the same reference. */
  asSetup(): TaskRef<T>;
  /**
   * Marks the task as a teardown (Airflow's `as_teardown()`): it runs once its upstreams are done if at
   * least one of its setups succeeded, and its failure does not fail the run unless
   * `onFailureFailDagrun`. `setups` become setup tasks upstream of it.
   */
  asTeardown(options?: TeardownOptions): TaskRef<T>;
}

/**
 * Options of `asTeardown()` and `teardown()`.
 *
 * @example
 * ```ts
 * deleteCluster().asTeardown({ setups: cluster, onFailureFailDagrun: true });
 * ```
 */
export interface TeardownOptions {
  /** The setup task(s) this teardown releases; they are marked as setups and set upstream of it. */
  setups?: TaskRef<unknown> | readonly TaskRef<unknown>[];
  /** The teardown's failure fails the DAG run (default false). */
  onFailureFailDagrun?: boolean;
}

/** What a task reference needs from the DAG being built. */
export interface TaskRefOwner {
  readonly dagId: string;
  addEdge(upstreamTaskId: string, downstreamTaskId: string): void;
  /** The tasks a group stands for in a dependency; throws for an empty group. */
  groupEnds(groupId: string, role: DependencyRole): string[];
  markSetup(taskId: string): void;
  /** `onFailureFailDagrun` undefined keeps what an earlier call set (default false). */
  markTeardown(taskId: string, onFailureFailDagrun: boolean | undefined): void;
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

/**
 * Whether a value is a task group reference (of any copy of the SDK).
 *
 * @example
 * ```ts
 * isTaskGroupRef(taskGroup({ groupId: 'g' }, () => { empty({ taskId: 'a' }); })); // true
 * ```
 */
export function isTaskGroupRef(value: unknown): value is TaskGroupRef {
  return typeof value === 'object' && value !== null && (value as { [TASK_GROUP]?: unknown })[TASK_GROUP] === true;
}

/** The DAG a reference belongs to, or null for a reference made by another copy of the SDK. */
export function ownerOf(ref: TaskRef<unknown> | XComArg<unknown> | TaskGroupRef): TaskRefOwner | null {
  return owners.get(ref) ?? null;
}

/**
 * Flattens the arguments of setUpstream/setDownstream and checks each is a reference of `owner`. A
 * group stands for its leaves when `role` is upstream and for its roots when downstream.
 */
export function toTaskIds(owner: TaskRefOwner, method: string, items: readonly unknown[], role: DependencyRole = 'upstream'): string[] {
  const ids: string[] = [];
  for (const item of items) {
    for (const candidate of Array.isArray(item) ? item : [item]) {
      if (isTaskGroupRef(candidate)) {
        if (ownerOf(candidate) !== owner) {
          throw new DagDefinitionError(
            `DAG "${owner.dagId}": ${method}() got task group "${candidate.groupId}" of DAG "${candidate.dagId}"; dependencies can only join tasks of the same DAG.`,
          );
        }
        ids.push(...owner.groupEnds(candidate.groupId, role));
        continue;
      }
      if (!isTaskRef(candidate)) {
        throw new DagDefinitionError(
          `DAG "${owner.dagId}": ${method}() accepts task references, task groups and lists of them (what a TaskFlow call, bash(), empty() or taskGroup() returns), got ${typeof candidate === 'object' ? JSON.stringify(candidate) : String(candidate)}.`,
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

/** A frozen group reference whose dependencies go through `owner`. */
export function createTaskGroupRef(owner: TaskRefOwner, groupId: string): TaskGroupRef {
  const ref: TaskGroupRef = {
    groupId,
    dagId: owner.dagId,
    [TASK_GROUP]: true,
    setUpstream(...tasks: TaskRefOrList[]): void {
      const upstreams = toTaskIds(owner, 'setUpstream', tasks, 'upstream');
      for (const root of owner.groupEnds(groupId, 'downstream')) for (const upstream of upstreams) owner.addEdge(upstream, root);
    },
    setDownstream(...tasks: TaskRefOrList[]): void {
      const downstreams = toTaskIds(owner, 'setDownstream', tasks, 'downstream');
      for (const leaf of owner.groupEnds(groupId, 'upstream')) for (const downstream of downstreams) owner.addEdge(leaf, downstream);
    },
  };
  Object.freeze(ref);
  owners.set(ref, owner);
  return ref;
}

export function createTaskRef<T>(owner: TaskRefOwner, taskId: string): TaskRef<T> {
  const ref: TaskRef<T> = {
    taskId,
    dagId: owner.dagId,
    [TASK_REF]: true,
    setUpstream(...tasks: TaskRefOrList[]): void {
      for (const upstream of toTaskIds(owner, 'setUpstream', tasks, 'upstream')) owner.addEdge(upstream, taskId);
    },
    setDownstream(...tasks: TaskRefOrList[]): void {
      for (const downstream of toTaskIds(owner, 'setDownstream', tasks, 'downstream')) owner.addEdge(taskId, downstream);
    },
    asSetup(): TaskRef<T> {
      owner.markSetup(taskId);
      return ref;
    },
    asTeardown(options: TeardownOptions = {}): TaskRef<T> {
      if (typeof options !== 'object' || options === null) {
        throw new DagDefinitionError(`DAG "${owner.dagId}", task "${taskId}": asTeardown() takes an options object { setups?, onFailureFailDagrun? }.`);
      }
      const fail = options.onFailureFailDagrun;
      if (fail !== undefined && typeof fail !== 'boolean') {
        throw new DagDefinitionError(`DAG "${owner.dagId}", task "${taskId}": onFailureFailDagrun must be true or false, got ${String(fail)}.`);
      }
      const setups = options.setups === undefined ? [] : [options.setups].flat();
      if (setups.some(isTaskGroupRef)) {
        throw new DagDefinitionError(`DAG "${owner.dagId}", task "${taskId}": asTeardown({ setups }) takes setup tasks, not task groups.`);
      }
      const setupIds = toTaskIds(owner, 'asTeardown', setups, 'upstream');
      owner.markTeardown(taskId, fail);
      for (const setupId of setupIds) {
        owner.markSetup(setupId);
        owner.addEdge(setupId, taskId);
      }
      return ref;
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
