import type { Asset } from './assets.ts';
import type { ResolvedTaskCallbacks } from './callbacks.ts';
import type { ResolvedDeadlineAlert } from './deadlines.ts';
import type { TaskContext } from './context.ts';
import type { TriggerRule } from './trigger-rules.ts';
import type { SensorFunctions, SensorSettings } from './sensors/sensor-types.ts';
import type { WeightRule } from './weight-rules.ts';
import type { MappedInput } from './mapping-types.ts';

/**
 * Where a TaskFlow argument comes from when the task runs: a literal written in the DAG file, or an
 * XCom of an upstream task.
 *
 * @example
 * ```ts
 * const fromExtract: TaskArg = { kind: 'xcom', taskId: 'extract', key: 'return_value' };
 * const literal: TaskArg = { kind: 'literal', value: 'orders' };
 * ```
 */
export type TaskArg =
  | { kind: 'literal'; value: unknown }
  | { kind: 'xcom'; taskId: string; key: string }
  /** Filled per instance from the task's `expandInputs` entry that targets this position. */
  | { kind: 'mapped' }
  /** The element of the enclosing mapped task group's list at this instance's map index. */
  | { kind: 'map_item'; groupId: string };

/**
 * The operators the SDK knows: `taskflow` runs a user function, `bash` a shell command, `python` a
 * function of a Python script in a Python process, `empty` nothing (it only joins dependencies).
 *
 * @example
 * ```ts
 * const operator: OperatorName = 'bash';
 * ```
 */
export type OperatorName = 'taskflow' | 'bash' | 'python' | 'empty' | 'sensor' | 'branch' | 'short_circuit' | 'latest_only';

/**
 * A function run by a TaskFlow task: the context first, then the task's arguments (upstream outputs
 * or literals).
 *
 * @example
 * ```ts
 * const fn: TaskFunction = (ctx, rows) => (rows as unknown[]).length;
 * ```
 */
export type TaskFunction = (ctx: TaskContext, ...args: unknown[]) => unknown;

/**
 * Fields every task definition has, whatever its operator. Durations are seconds.
 *
 * @example
 * ```ts
 * const retries = someDag.tasks.get('extract')?.retries;
 * ```
 */
export interface BaseTaskDefinition {
  readonly taskId: string;
  readonly operator: OperatorName;
  /** Direct upstream task ids. */
  readonly upstreamTaskIds: ReadonlySet<string>;
  readonly triggerRule: TriggerRule;
  readonly retries: number;
  readonly retryDelaySeconds: number;
  readonly retryExponentialBackoff: boolean;
  readonly maxRetryDelaySeconds: number | null;
  readonly executionTimeoutSeconds: number | null;
  /** Executor name; null means the configured default executor. */
  readonly executor: string | null;
  /** The executor's settings for this task (JSON), e.g. `{ cpu: 1024, memory: 4096 }` for fargate. */
  readonly executorConfig: Readonly<Record<string, unknown>> | null;
  readonly pool: string;
  readonly poolSlots: number;
  /** At most this many instances of the task queued or running across the DAG's runs; null: no limit. */
  readonly maxActiveTisPerDag: number | null;
  readonly priorityWeight: number;
  /** How `priorityWeight` becomes the weight the scheduler orders by (Airflow's `weight_rule`). */
  readonly weightRule: WeightRule;
  /** Runs only when its instance in the previous run succeeded or was skipped. */
  readonly dependsOnPast: boolean;
  /** Also waits for the previous run's instances of its direct downstream tasks (implies dependsOnPast). */
  readonly waitForDownstream: boolean;
  /** Operator fields rendered as templates by the task runner before the task runs. */
  readonly templateFields: Record<string, unknown>;
  /** TaskFlow positional arguments after the context; empty for other operators. */
  readonly args: readonly TaskArg[];
  /** Whether the task's result is pushed as the `return_value` XCom. */
  readonly doXcomPush: boolean;
  readonly doc: string | null;
  /** Assets the task updates; the runner reports one asset event per outlet when the task succeeds. */
  readonly outlets: readonly Asset[];
  /**
   * The task's callbacks (defaultArgs applied). They run on the worker and are not serialized; a bundle
   * built by an older SDK may lack this field.
   */
  readonly callbacks: ResolvedTaskCallbacks;
  /**
   * The task's deadline alert (defaultArgs applied); its callback runs on a worker, never serialized.
   * Null when none; absent in a bundle built by an older SDK.
   */
  readonly deadline?: ResolvedDeadlineAlert | null;
  /** The innermost task group holding the task (its full id); absent at the top level. */
  readonly taskGroupId?: string;
  /** A setup task (Airflow's `is_setup`): it prepares what its teardowns release. */
  readonly isSetup?: boolean;
  /** A teardown task (Airflow's `is_teardown`): runs once its upstreams are done if a setup of it succeeded. */
  readonly isTeardown?: boolean;
  /** For a teardown: its failure fails the DAG run (default false, as Airflow). */
  readonly onFailureFailDagrun?: boolean;
  /** Dynamic task mapping (`.expand()`): the mapped inputs in declaration order; absent when not mapped by itself. */
  readonly expandInputs?: readonly MappedInput[];
  /** The mapped task group the task is expanded with (every task inside one is mapped); absent otherwise. */
  readonly mappedGroupId?: string;
}

/**
 * A TaskFlow task: runs `fn`.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('extract');
 * if (definition?.operator === 'taskflow') await definition.fn(ctx);
 * ```
 */
export interface TaskflowTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'taskflow';
  readonly fn: TaskFunction;
}

/**
 * A bash task; its `templateFields` hold `bashCommand` and, when given, `env` and `cwd`.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('print_date');
 * if (definition?.operator === 'bash') console.log(definition.templateFields.bashCommand);
 * ```
 */
export interface BashTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'bash';
}

/**
 * A Python task; its `templateFields` hold `script` (a path under the DAGs folder) and `callable`, and
 * `args` its arguments (literals or upstream XComs), as for TaskFlow.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('transform');
 * if (definition?.operator === 'python') console.log(definition.templateFields.script);
 * ```
 */
export interface PythonTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'python';
}

/**
 * An empty task: nothing runs; it succeeds when its trigger rule lets it.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('join');
 * definition?.operator === 'empty';
 * ```
 */
export interface EmptyTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'empty';
}

/**
 * A sensor: waits for a condition, poke by poke. `sensor` holds its settings (also serialized, as
 * `templateFields.sensor`), the other template fields its kind's arguments, and `sensorFunctions` the
 * functions that run on the worker and are never serialized.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('wait_for_file');
 * if (definition?.operator === 'sensor') console.log(definition.sensor.kind, definition.sensor.mode);
 * ```
 */
export interface SensorTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'sensor';
  readonly sensor: SensorSettings;
  readonly sensorFunctions: SensorFunctions;
}

/**
 * One task of a DAG, fully resolved (defaults and `defaultArgs` applied).
 *
 * @example
 * ```ts
 * for (const [taskId, definition] of someDag.tasks) {
 *   console.log(taskId, definition.operator, [...definition.upstreamTaskIds]);
 * }
 * ```
 */
export type TaskDefinition =
  | TaskflowTaskDefinition
  | BashTaskDefinition
  | PythonTaskDefinition
  | EmptyTaskDefinition
  | SensorTaskDefinition
  | BranchTaskDefinition
  | ShortCircuitTaskDefinition
  | LatestOnlyTaskDefinition;

/**
 * A branching TaskFlow task (Airflow's `@task.branch`): `fn` returns the task id(s) or task group id(s)
 * to follow; the other direct downstream tasks are skipped.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('pick');
 * if (definition?.operator === 'branch') await definition.fn(ctx);
 * ```
 */
export interface BranchTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'branch';
  readonly fn: TaskFunction;
}

/**
 * A short-circuit TaskFlow task (Airflow's `@task.short_circuit`): a falsy result skips downstream.
 *
 * @example
 * ```ts
 * const definition = someDag.tasks.get('has_data');
 * if (definition?.operator === 'short_circuit') console.log(definition.ignoreDownstreamTriggerRules);
 * ```
 */
export interface ShortCircuitTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'short_circuit';
  readonly fn: TaskFunction;
  /** true: skip every downstream task; false: skip the direct ones and let trigger rules decide the rest. */
  readonly ignoreDownstreamTriggerRules: boolean;
}

/**
 * A latest-only task (Airflow's `LatestOnlyOperator`): skips its direct downstream tasks unless the run
 * is the latest scheduled one.
 *
 * @example
 * ```ts
 * someDag.tasks.get('latest_only')?.operator === 'latest_only';
 * ```
 */
export interface LatestOnlyTaskDefinition extends BaseTaskDefinition {
  readonly operator: 'latest_only';
}
