import type { TaskContext } from '../context.ts';
import { DagDefinitionError } from '../errors.ts';
import { TASKFLOW_OPTION_KEYS, taskflowFactory, type TaskCallable, type TaskflowOptions } from '../task.ts';
import { describe } from '../task-options.ts';

/**
 * What a branch function may return: the task id or task group id to follow, a list of them, or
 * null/undefined/an empty list to follow none.
 *
 * @example
 * ```ts
 * const choice: BranchChoice = ['load_full', 'notify'];
 * ```
 */
export type BranchChoice = string | readonly string[] | null | undefined;

/**
 * Declares a branching TaskFlow task (Airflow's `@task.branch` / BranchPythonOperator): `fn` returns
 * the id(s) of direct downstream tasks (or task groups: their roots) to follow, and every other
 * direct downstream task is skipped; trigger rules then carry the skips further. Returning an id that
 * is not directly downstream fails the task. The return value is also pushed as its XCom.
 *
 * @example
 * ```ts
 * import { branch, chain, dag, empty } from 'updraft/sdk';
 *
 * const pick = branch({ taskId: 'pick' }, (ctx) => (ctx.params.mode === 'full' ? 'full' : 'incremental'));
 *
 * export default dag({ dagId: 'branching' }, () => {
 *   const paths = [empty({ taskId: 'full' }), empty({ taskId: 'incremental' })];
 *   chain(pick(), paths, empty({ taskId: 'join', triggerRule: 'none_failed_min_one_success' }));
 * });
 * ```
 */
export function branch<A extends unknown[]>(
  options: TaskflowOptions,
  fn: (ctx: TaskContext, ...args: A) => BranchChoice | Promise<BranchChoice>,
): TaskCallable<A, BranchChoice> {
  return taskflowFactory('branch', options, fn, TASKFLOW_OPTION_KEYS, () => ({ operator: 'branch' })) as unknown as TaskCallable<A, BranchChoice>;
}

/**
 * Options of `shortCircuit()`: every TaskFlow option, plus `ignoreDownstreamTriggerRules`.
 *
 * @example
 * ```ts
 * const options: ShortCircuitOptions = { taskId: 'has_rows', ignoreDownstreamTriggerRules: false };
 * ```
 */
export interface ShortCircuitOptions extends TaskflowOptions {
  /**
   * true (default): a falsy result skips every task downstream, whatever its trigger rule. false: only
   * the direct downstream tasks are skipped and the others' trigger rules decide.
   */
  ignoreDownstreamTriggerRules?: boolean;
}

const SHORT_CIRCUIT_OPTION_KEYS = [...TASKFLOW_OPTION_KEYS, 'ignoreDownstreamTriggerRules'] as const;

/**
 * Declares a short-circuit TaskFlow task (Airflow's `@task.short_circuit`): when `fn` returns a falsy
 * value, downstream tasks are skipped (teardowns excepted); a truthy value lets them run. The value is
 * pushed as the task's XCom.
 *
 * @example
 * ```ts
 * import { chain, dag, shortCircuit, task } from 'updraft/sdk';
 *
 * const hasRows = shortCircuit({ taskId: 'has_rows' }, async (ctx) => (await countRows(ctx)) > 0);
 * const load = task({ taskId: 'load' }, async () => { ... });
 *
 * export default dag({ dagId: 'load_if_any' }, () => {
 *   chain(hasRows(), load());
 * });
 * ```
 */
export function shortCircuit<A extends unknown[], R>(options: ShortCircuitOptions, fn: (ctx: TaskContext, ...args: A) => R): TaskCallable<A, R> {
  return taskflowFactory<ShortCircuitOptions>('shortCircuit', options, fn, SHORT_CIRCUIT_OPTION_KEYS, (resolved, where) => {
    const ignore = resolved.ignoreDownstreamTriggerRules ?? true;
    if (typeof ignore !== 'boolean') {
      throw new DagDefinitionError(`${where}: ignoreDownstreamTriggerRules must be true or false, got ${describe(ignore)}.`);
    }
    return { operator: 'short_circuit', ignoreDownstreamTriggerRules: ignore };
  }) as unknown as TaskCallable<A, R>;
}
