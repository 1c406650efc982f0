import { requireBuilder } from './dag-builder.ts';
import { resolveDefaultArgs } from './dag-options.ts';
import { DagDefinitionError } from './errors.ts';
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
  const builder = requireBuilder(`taskGroup({ groupId: ${describe(options?.groupId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: taskGroup(options, build) needs an options object with a groupId, got ${describe(options)}.`);
  }
  const idProblem = invalidIdReason(options.groupId);
  if (idProblem) throw new DagDefinitionError(`${builder.where()}: taskGroup() needs a groupId that ${idProblem}.`);
  const where = `${builder.where()}, task group "${options.groupId}"`;
  rejectUnknownKeys(where, options, TASK_GROUP_OPTION_KEYS);
  if (options.prefixGroupId !== undefined && typeof options.prefixGroupId !== 'boolean') {
    throw new DagDefinitionError(`${where}: prefixGroupId must be true or false, got ${describe(options.prefixGroupId)}.`);
  }
  if (options.tooltip !== undefined && typeof options.tooltip !== 'string') {
    throw new DagDefinitionError(`${where}: tooltip must be a string, got ${describe(options.tooltip)}.`);
  }
  if (typeof build !== 'function') {
    throw new DagDefinitionError(`${where}: taskGroup(options, build) needs a build function that adds the group's tasks, got ${describe(build)}.`);
  }
  const groupId = builder.openGroup({
    groupId: options.groupId,
    prefixGroupId: options.prefixGroupId ?? true,
    tooltip: options.tooltip ?? null,
    defaultArgs: resolveDefaultArgs(where, options.defaultArgs),
  });
  try {
    const result: unknown = build();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => {});
      throw new DagDefinitionError(`${where}: the build function returned a promise. Build functions must be synchronous; put async work inside tasks.`);
    }
  } finally {
    builder.closeGroup();
  }
  return createTaskGroupRef(builder, groupId);
}
