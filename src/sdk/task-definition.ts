import type { Asset } from './assets.ts';
import type { ResolvedTaskCallbacks } from './callbacks.ts';
import type { TaskContext } from './context.ts';
import type { TriggerRule } from './trigger-rules.ts';

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
export type TaskArg = { kind: 'literal'; value: unknown } | { kind: 'xcom'; taskId: string; key: string };

/**
 * The operators the SDK knows: `taskflow` runs a user function, `bash` a shell command, `python` a
 * function of a Python script in a Python process, `empty` nothing (it only joins dependencies).
 *
 * @example
 * ```ts
 * const operator: OperatorName = 'bash';
 * ```
 */
export type OperatorName = 'taskflow' | 'bash' | 'python' | 'empty';

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
  readonly priorityWeight: number;
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
 * One task of a DAG, fully resolved (defaults and `defaultArgs` applied).
 *
 * @example
 * ```ts
 * for (const [taskId, definition] of someDag.tasks) {
 *   console.log(taskId, definition.operator, [...definition.upstreamTaskIds]);
 * }
 * ```
 */
export type TaskDefinition = TaskflowTaskDefinition | BashTaskDefinition | PythonTaskDefinition | EmptyTaskDefinition;
