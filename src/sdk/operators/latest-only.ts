import { requireBuilder } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { TASK_OPTION_KEYS, describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions, type TaskOptions } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';

/**
 * Options of `latestOnly()`: the common task options; `taskId` defaults to `latest_only`.
 *
 * @example
 * ```ts
 * const options: LatestOnlyOptions = { taskId: 'only_latest' };
 * ```
 */
export type LatestOnlyOptions = TaskOptions;

/**
 * Adds a task that skips its direct downstream tasks unless the run is the latest (Airflow's
 * `LatestOnlyOperator`): a manual run always proceeds; a scheduled or backfill run proceeds only while
 * now is after its data interval's start and no later than the end of the next run's data interval.
 * A DAG whose timetable has no next run (`@once`, no schedule) always proceeds.
 *
 * @example
 * ```ts
 * import { chain, dag, latestOnly, task } from 'updraft/sdk';
 *
 * const notify = task({ taskId: 'notify' }, async () => { ... });
 *
 * export default dag({ dagId: 'daily_report', schedule: '@daily', startDate: '2025-01-01', catchup: true }, () => {
 *   chain(latestOnly(), notify()); // catch-up runs skip notify
 * });
 * ```
 */
export function latestOnly(options: LatestOnlyOptions = {}): TaskRef<null> {
  const builder = requireBuilder('latestOnly()');
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: latestOnly() takes an options object, got ${describe(options)}.`);
  }
  const taskId = options.taskId ?? 'latest_only';
  const where = builder.where(typeof taskId === 'string' ? taskId : undefined);
  const idProblem = invalidIdReason(taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: latestOnly() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, TASK_OPTION_KEYS);
  return builder.addTask<null>({
    taskId,
    operator: 'latest_only',
    upstreamTaskIds: new Set(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    templateFields: {},
    args: [],
    doXcomPush: false,
  });
}
