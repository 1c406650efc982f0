import { DagDefinitionError } from './errors.ts';
import { describe } from './task-options.ts';
import { isTaskRef, type TaskRef } from './task-ref.ts';

/** Anything that adds a task when called: a TaskFlow factory, or a function around bash()/empty(). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wrapper keeps the factory's own signature
type AddsTask = (...args: any[]) => TaskRef<unknown>;

/**
 * Makes every task a factory adds a setup task (Airflow's `@setup`): it creates what the work needs
 * and its teardowns release. Equivalent to calling `.asSetup()` on each reference.
 *
 * @example
 * ```ts
 * import { dag, setup, task, teardown } from 'updraft/sdk';
 *
 * const createCluster = setup(task({ taskId: 'create_cluster' }, async () => 'cluster-1'));
 * const deleteCluster = teardown(task({ taskId: 'delete_cluster' }, async (ctx, id: string) => { ... }));
 * const query = task({ taskId: 'query' }, async (ctx, id: string) => { ... });
 *
 * export default dag({ dagId: 'with_cluster' }, () => {
 *   const cluster = createCluster();
 *   query(cluster).setDownstream(deleteCluster(cluster)); // delete_cluster runs even when query fails
 * });
 * ```
 */
export function setup<F extends AddsTask>(factory: F): F {
  if (typeof factory !== 'function') {
    throw new DagDefinitionError(`setup(factory) takes a task factory (what task() returns, or a function adding a task), got ${describe(factory)}.`);
  }
  return ((...args: unknown[]) => returnedRef('setup', factory(...args)).asSetup()) as F;
}

/**
 * Options of `teardown()`.
 *
 * @example
 * ```ts
 * const options: TeardownFactoryOptions = { onFailureFailDagrun: true };
 * ```
 */
export interface TeardownFactoryOptions {
  /** The teardown's failure fails the DAG run (default false). */
  onFailureFailDagrun?: boolean;
}

/**
 * Makes every task a factory adds a teardown task (Airflow's `@teardown`): it runs once its upstreams
 * are done, provided one of its setups (upstream setup tasks) succeeded; its failure does not fail the
 * run unless `onFailureFailDagrun`, and the run's state is decided by the work, not by the teardown.
 * Equivalent to calling `.asTeardown()` on each reference; name setups with `.asTeardown({ setups })`
 * or by passing a setup's output as an argument.
 *
 * @example
 * ```ts
 * const cleanup = teardown(task({ taskId: 'cleanup' }, async () => { ... }), { onFailureFailDagrun: true });
 * ```
 */
export function teardown<F extends AddsTask>(factory: F, options: TeardownFactoryOptions = {}): F {
  if (typeof factory !== 'function') {
    throw new DagDefinitionError(`teardown(factory) takes a task factory (what task() returns, or a function adding a task), got ${describe(factory)}.`);
  }
  return ((...args: unknown[]) => returnedRef('teardown', factory(...args)).asTeardown(options)) as F;
}

function returnedRef(label: string, value: unknown): TaskRef<unknown> {
  if (!isTaskRef(value)) {
    throw new DagDefinitionError(`${label}(factory): the factory must return a task reference (it returned ${describe(value)}).`);
  }
  return value as TaskRef<unknown>;
}
