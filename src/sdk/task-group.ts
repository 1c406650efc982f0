import { requireBuilder } from './dag-builder.ts';
import { resolveDefaultArgs } from './dag-options.ts';
import { DagDefinitionError } from './errors.ts';
import { createMapItem, type MapItem } from './map-item.ts';
import { mappedGroupSource, wireMappedGroup } from './mapped-task-group.ts';
import type { MapArg } from './mapping.ts';
import type { MapSource } from './mapping-types.ts';
import { describe, invalidIdReason, rejectUnknownKeys, type DefaultArgs } from './task-options.ts';
import { createTaskGroupRef, type TaskGroupRef } from './task-ref.ts';

/**
 * Options of `taskGroup()` (Airflow's `TaskGroup` arguments, in camelCase).
 *
 * @example
 * ```ts
 * const options: TaskGroupOptions = { groupId: 'transform', defaultArgs: { retries: 2 }, tooltip: 'Cleans the rows' };
 * ```
 */
export interface TaskGroupOptions {
  /** Letters, digits, `_`, `-` and `.`; unique among the DAG's task and group ids. */
  groupId: string;
  /** Prefix the ids of the tasks and groups inside with `groupId.` (default true). */
  prefixGroupId?: boolean;
  /** Defaults for the tasks inside, merged over the DAG's (and enclosing groups') defaultArgs. */
  defaultArgs?: DefaultArgs;
  /** A description shown with the group. */
  tooltip?: string;
}

const TASK_GROUP_OPTION_KEYS = ['groupId', 'prefixGroupId', 'defaultArgs', 'tooltip'] as const;

/**
 * Groups tasks (Airflow's `TaskGroup` / `@task_group`): the tasks `build` adds get the group's id as a
 * prefix (`transform.clean`; nested: `outer.inner.task`) and its defaultArgs. The returned reference
 * wires like a task in `chain()`, `setUpstream()` and `setDownstream()`: as an upstream it stands for the
 * group's leaves, as a downstream for its roots. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { chain, dag, empty, taskGroup } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'grouped' }, () => {
 *   const transform = taskGroup({ groupId: 'transform', defaultArgs: { retries: 2 } }, () => {
 *     chain(empty({ taskId: 'clean' }), empty({ taskId: 'enrich' })); // transform.clean → transform.enrich
 *   });
 *   chain(empty({ taskId: 'extract' }), transform, empty({ taskId: 'load' }));
 * });
 * ```
 */
export function taskGroup(options: TaskGroupOptions, build: () => void): TaskGroupRef {
  return addTaskGroup('taskGroup', options, build, null);
}

/**
 * Adds a mapped task group (Airflow's `@task_group` + `.expand()`): every task `build` adds runs once
 * per element of `over` (a list literal, or the output of a task that returns a list), and `build`
 * receives the element as `item`, to pass as a TaskFlow argument of the tasks inside. Instance i of
 * each task in the group belongs together: a task reading another task of the same group gets the
 * value of the same instance; a task after the group gets the list of all instances' values. A task
 * whose output the group maps over becomes upstream of the group's roots. An empty list skips the
 * group's tasks. Mapping inside a mapped group (nested mapping) is not supported.
 *
 * @example
 * ```ts
 * import { dag, empty, task, taskGroup } from 'updraft/sdk';
 *
 * const listFiles = task(function listFiles() { return ['a.csv', 'b.csv']; });
 * const parse = task(function parse(ctx, file: string) { return { file, rows: 10 }; });
 * const load = task(function load(ctx, parsed: { rows: number }) { return parsed.rows; });
 *
 * export default dag({ dagId: 'per_file' }, () => {
 *   const perFile = taskGroup.expand({ groupId: 'per_file' }, listFiles(), (file) => {
 *     load(parse(file)); // per_file.parse and per_file.load, one instance of each per file
 *   });
 *   perFile.setDownstream(empty({ taskId: 'done' }));
 * });
 * ```
 */
taskGroup.expand = function expand<T>(options: TaskGroupOptions, over: MapArg<T>, build: (item: MapItem<T>) => void): TaskGroupRef {
  return addTaskGroup('taskGroup.expand', options, build as (item: MapItem<unknown>) => void, { over });
};

/** `mapping` null: a plain group; otherwise the group maps over `mapping.over`. */
function addTaskGroup(
  label: string,
  options: TaskGroupOptions,
  build: (item: MapItem<unknown>) => void,
  mapping: { over: unknown } | null,
): TaskGroupRef {
  const mapped = mapping !== null;
  const call = mapped ? `${label}(options, over, build)` : `${label}(options, build)`;
  const builder = requireBuilder(`${label}({ groupId: ${describe(options?.groupId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: ${call} needs an options object with a groupId, got ${describe(options)}.`);
  }
  const idProblem = invalidIdReason(options.groupId);
  if (idProblem) throw new DagDefinitionError(`${builder.where()}: ${label}() needs a groupId that ${idProblem}.`);
  const where = `${builder.where()}, ${mapped ? 'mapped ' : ''}task group "${options.groupId}"`;
  rejectUnknownKeys(where, options, TASK_GROUP_OPTION_KEYS);
  if (options.prefixGroupId !== undefined && typeof options.prefixGroupId !== 'boolean') {
    throw new DagDefinitionError(`${where}: prefixGroupId must be true or false, got ${describe(options.prefixGroupId)}.`);
  }
  if (options.tooltip !== undefined && typeof options.tooltip !== 'string') {
    throw new DagDefinitionError(`${where}: tooltip must be a string, got ${describe(options.tooltip)}.`);
  }
  const source: MapSource | undefined = mapping !== null ? mappedGroupSource(builder, where, mapping.over) : undefined;
  if (typeof build !== 'function') {
    throw new DagDefinitionError(`${where}: ${call} needs a build function that adds the group's tasks, got ${describe(build)}.`);
  }
  const groupId = builder.openGroup({
    groupId: options.groupId,
    prefixGroupId: options.prefixGroupId ?? true,
    tooltip: options.tooltip ?? null,
    defaultArgs: resolveDefaultArgs(where, options.defaultArgs),
    ...(source !== undefined ? { expand: source } : {}),
  });
  try {
    const result: unknown = build(mapped ? createMapItem(builder, groupId) : (undefined as never));
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => {});
      throw new DagDefinitionError(`${where}: the build function returned a promise. Build functions must be synchronous; put async work inside tasks.`);
    }
  } finally {
    builder.closeGroup();
  }
  if (source !== undefined) wireMappedGroup(builder, where, groupId, source);
  return createTaskGroupRef(builder, groupId);
}
