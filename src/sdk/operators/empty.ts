import { requireBuilder } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';

/**
 * Options of `empty()`: the common task options with a required `taskId`.
 *
 * @example
 * ```ts
 * const options: EmptyOptions = { taskId: 'join', triggerRule: 'none_failed_min_one_success' };
 * ```
 */
export interface EmptyOptions extends TaskOptions {
  taskId: string;
}

/**
 * Adds a task that does nothing (Airflow's `EmptyOperator`): useful to start, join or group
 * dependencies. It succeeds as soon as its trigger rule lets it run. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { chain, dag, empty } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'fan' }, () => {
 *   chain(empty({ taskId: 'start' }), [a(), b()], empty({ taskId: 'end', triggerRule: 'all_done' }));
 * });
 * ```
 */
export function empty(options: EmptyOptions): TaskRef<null> {
  const builder = requireBuilder(`empty({ taskId: ${describe(options?.taskId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: empty() needs an options object, got ${describe(options)}.`);
  }
  const where = builder.where(typeof options.taskId === 'string' ? options.taskId : undefined);
  const idProblem = invalidIdReason(options.taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: empty() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, TASK_OPTION_KEYS);

  return builder.addTask<null>({
    taskId: options.taskId,
    operator: 'empty',
    upstreamTaskIds: new Set(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    templateFields: {},
    args: [],
    doXcomPush: false,
  });
}
