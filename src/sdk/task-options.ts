import { isAsset, type Asset } from './assets.ts';
import { resolveCallbackList, type ResolvedTaskCallbacks, type TaskCallbacks } from './callbacks.ts';
import { resolveDeadline, type DeadlineAlert, type ResolvedDeadlineAlert } from './deadlines.ts';
import { DagDefinitionError } from './errors.ts';
import { TRIGGER_RULES, isTriggerRule, type TriggerRule } from './trigger-rules.ts';
import { DEFAULT_WEIGHT_RULE, WEIGHT_RULES, isWeightRule, type WeightRule } from './weight-rules.ts';

/**
 * Options every task accepts (Airflow's BaseOperator arguments, in camelCase). Durations are seconds.
 * Unset options come from the DAG's `defaultArgs`, then from Airflow's defaults.
 *
 * @example
 * ```ts
 * const options: TaskOptions = { taskId: 'load', retries: 3, retryDelay: 60, retryExponentialBackoff: true, pool: 'warehouse' };
 * ```
 */
export interface TaskOptions {
  /** Letters, digits, `_`, `-` and `.`; at most 250 characters. */
  taskId?: string;
  /** How many times a failed attempt is retried (default 0). */
  retries?: number;
  /** Seconds between attempts (default 300). */
  retryDelay?: number;
  /** Double the delay after each failed attempt (default false). */
  retryExponentialBackoff?: boolean;
  /** Upper bound in seconds for the exponential delay (default none). */
  maxRetryDelay?: number | null;
  /** Seconds after which a running attempt is failed (default none). */
  executionTimeout?: number | null;
  /** When the task may run given its upstream states (default `all_success`). */
  triggerRule?: TriggerRule;
  /** Name of a configured executor (default: the first configured one). */
  executor?: string | null;
  /**
   * Settings for the executor, as JSON (Airflow's `executor_config`). The `fargate` executor reads
   * `cpu` (CPU units, e.g. 1024) and `memory` (MiB) to size the task's container.
   */
  executorConfig?: Record<string, unknown> | null;
  /** Pool whose slots the task takes (default `default_pool`). */
  pool?: string;
  /** Slots of the pool the task takes (default 1). */
  poolSlots?: number;
  /**
   * At most this many instances of this task queued or running at once across all runs of the DAG
   * (Airflow's `max_active_tis_per_dag`; default null: no limit). E.g. `1` keeps a task from overlapping itself.
   */
  maxActiveTisPerDag?: number | null;
  /** Higher runs first when slots are scarce (default 1); `weightRule` says what it adds up with. */
  priorityWeight?: number;
  /**
   * How the weight the scheduler orders by is computed (Airflow's `weight_rule`): `downstream` (default)
   * adds the weights of all downstream tasks, `upstream` of all upstream tasks, `absolute` nothing.
   */
  weightRule?: WeightRule;
  /**
   * Run only when this task's instance in the DAG's previous run (by logical date) succeeded or was
   * skipped (default false). The first run, and a previous run without this task, do not hold it back.
   */
  dependsOnPast?: boolean;
  /**
   * As `dependsOnPast` (which it turns on), and also wait until the previous run's instances of this
   * task's direct downstream tasks succeeded or were skipped (default false).
   */
  waitForDownstream?: boolean;
  /** Documentation shown with the task. */
  doc?: string | null;
  /** Assets the task updates: each gets an asset event when the task succeeds (Airflow's `outlets`). */
  outlets?: readonly Asset[];
  /**
   * Runs on the worker just before the task's code (Airflow's `on_execute_callback`). Callbacks are
   * functions `(ctx, info) => ...` or notifiers; they are not stored in the serialized DAG, and an
   * error they throw goes to the task log without changing the task's state.
   */
  onExecute?: TaskCallbacks;
  /** Runs after the task was reported successful (Airflow's `on_success_callback`). */
  onSuccess?: TaskCallbacks;
  /** Runs after the task failed for good, timeouts included (Airflow's `on_failure_callback`). */
  onFailure?: TaskCallbacks;
  /** Runs after a failed try that will be retried (Airflow's `on_retry_callback`). */
  onRetry?: TaskCallbacks;
  /**
   * Alerts once per task instance that has not finished by `reference` + `interval` (a task-level
   * DeadlineAlert): `reference` is `DeadlineReference.TASK_QUEUED_AT`, `TASK_STARTED_AT` or
   * `FIXED_DATETIME(date)`. The callback is a DAG-run callback; `ctx.taskInstance` names the instance.
   */
  deadline?: DeadlineAlert;
}

/**
 * Defaults for every task of a DAG: any task option except `taskId`. A task's own option wins.
 *
 * @example
 * ```ts
 * dag({ dagId: 'etl', defaultArgs: { retries: 2, retryDelay: 30 } }, () => { ... });
 * ```
 */
export type DefaultArgs = Omit<TaskOptions, 'taskId'>;

/** Task options after defaults were applied, as a task definition holds them. */
export interface ResolvedTaskOptions {
  triggerRule: TriggerRule;
  retries: number;
  retryDelaySeconds: number;
  retryExponentialBackoff: boolean;
  maxRetryDelaySeconds: number | null;
  executionTimeoutSeconds: number | null;
  executor: string | null;
  executorConfig: Record<string, unknown> | null;
  pool: string;
  poolSlots: number;
  maxActiveTisPerDag: number | null;
  priorityWeight: number;
  weightRule: WeightRule;
  dependsOnPast: boolean;
  waitForDownstream: boolean;
  doc: string | null;
  outlets: readonly Asset[];
  callbacks: ResolvedTaskCallbacks;
  deadline: ResolvedDeadlineAlert | null;
}

export const DEFAULT_ARG_KEYS = [
  'retries',
  'retryDelay',
  'retryExponentialBackoff',
  'maxRetryDelay',
  'executionTimeout',
  'triggerRule',
  'executor',
  'executorConfig',
  'pool',
  'poolSlots',
  'maxActiveTisPerDag',
  'priorityWeight',
  'weightRule',
  'dependsOnPast',
  'waitForDownstream',
  'doc',
  'outlets',
  'onExecute',
  'onSuccess',
  'onFailure',
  'onRetry',
  'deadline',
] as const satisfies readonly (keyof DefaultArgs)[];

export const TASK_OPTION_KEYS = ['taskId', ...DEFAULT_ARG_KEYS] as const;

/** Airflow's key rule for DAG and task ids (`airflow.utils.helpers.validate_key`), ASCII only. */
const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_ID_LENGTH = 250;

/** The reason an id is invalid, or null when it is valid. */
export function invalidIdReason(id: unknown): string | null {
  if (typeof id !== 'string') return `must be a string, got ${describe(id)}`;
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`;
  if (!KEY_PATTERN.test(id)) return `may contain only letters, digits, "_", "-" and ".", got ${JSON.stringify(id)}`;
  return null;
}

/** A short, readable description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Rejects misspelt or unsupported options (a DAG file is transpiled without type checking). */
export function rejectUnknownKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new DagDefinitionError(`${where}: unknown option "${key}". Known options: ${known.join(', ')}.`);
    }
  }
}

/**
 * Applies `defaultArgs` and Airflow's defaults to a task's options and validates the result.
 * `where` names the DAG and task for messages.
 */
export function resolveTaskOptions(where: string, own: TaskOptions, defaults: DefaultArgs): ResolvedTaskOptions {
  const pick = <K extends keyof DefaultArgs>(key: K): DefaultArgs[K] => (own[key] !== undefined ? own[key] : defaults[key]);
  const fail = (message: string): never => {
    throw new DagDefinitionError(`${where}: ${message}`);
  };

  const retries = pick('retries') ?? 0;
  if (!Number.isInteger(retries) || retries < 0) fail(`retries must be a whole number >= 0, got ${describe(retries)}.`);

  const retryDelay = pick('retryDelay') ?? 300;
  if (!isFiniteNumber(retryDelay) || retryDelay < 0) fail(`retryDelay must be a number of seconds >= 0, got ${describe(retryDelay)}.`);

  const backoff = pick('retryExponentialBackoff') ?? false;
  if (typeof backoff !== 'boolean') fail(`retryExponentialBackoff must be true or false, got ${describe(backoff)}.`);

  const maxRetryDelay = pick('maxRetryDelay') ?? null;
  if (maxRetryDelay !== null && (!isFiniteNumber(maxRetryDelay) || maxRetryDelay <= 0)) {
    fail(`maxRetryDelay must be a number of seconds > 0 or null, got ${describe(maxRetryDelay)}.`);
  }

  const executionTimeout = pick('executionTimeout') ?? null;
  if (executionTimeout !== null && (!isFiniteNumber(executionTimeout) || executionTimeout <= 0)) {
    fail(`executionTimeout must be a number of seconds > 0 or null, got ${describe(executionTimeout)}.`);
  }

  const triggerRule = pick('triggerRule') ?? 'all_success';
  if (!isTriggerRule(triggerRule)) {
    fail(`unknown trigger rule ${describe(triggerRule)}. Use one of: ${TRIGGER_RULES.join(', ')}.`);
  }

  const executor = pick('executor') ?? null;
  if (executor !== null && (typeof executor !== 'string' || executor.trim() === '')) {
    fail(`executor must be the name of a configured executor or null, got ${describe(executor)}.`);
  }

  const executorConfig = pick('executorConfig') ?? null;
  if (executorConfig !== null && (typeof executorConfig !== 'object' || Array.isArray(executorConfig))) {
    fail(`executorConfig must be an object of JSON values or null, e.g. { cpu: 1024, memory: 4096 }, got ${describe(executorConfig)}.`);
  }

  const pool = pick('pool') ?? 'default_pool';
  if (typeof pool !== 'string' || pool.trim() === '') fail(`pool must be a non-empty pool name, got ${describe(pool)}.`);

  const poolSlots = pick('poolSlots') ?? 1;
  if (!Number.isInteger(poolSlots) || poolSlots < 1) fail(`poolSlots must be a whole number >= 1, got ${describe(poolSlots)}.`);

  const maxActiveTisPerDag = pick('maxActiveTisPerDag') ?? null;
  if (maxActiveTisPerDag !== null && (!Number.isInteger(maxActiveTisPerDag) || maxActiveTisPerDag < 1)) {
    fail(`maxActiveTisPerDag must be a whole number >= 1, or null for no limit, got ${describe(maxActiveTisPerDag)}.`);
  }

  const priorityWeight = pick('priorityWeight') ?? 1;
  if (!Number.isInteger(priorityWeight)) fail(`priorityWeight must be a whole number, got ${describe(priorityWeight)}.`);

  const weightRule = pick('weightRule') ?? DEFAULT_WEIGHT_RULE;
  if (!isWeightRule(weightRule)) fail(`unknown weightRule ${describe(weightRule)}. Use one of: ${WEIGHT_RULES.join(', ')}.`);

  const waitForDownstream = pick('waitForDownstream') ?? false;
  if (typeof waitForDownstream !== 'boolean') fail(`waitForDownstream must be true or false, got ${describe(waitForDownstream)}.`);
  const ownDependsOnPast = pick('dependsOnPast') ?? false;
  if (typeof ownDependsOnPast !== 'boolean') fail(`dependsOnPast must be true or false, got ${describe(ownDependsOnPast)}.`);
  // Airflow: waiting for the previous run's downstream tasks implies waiting for the task itself.
  const dependsOnPast = ownDependsOnPast || waitForDownstream;

  const doc = pick('doc') ?? null;
  if (doc !== null && typeof doc !== 'string') fail(`doc must be a string or null, got ${describe(doc)}.`);

  const outlets = pick('outlets') ?? [];
  if (!Array.isArray(outlets)) fail(`outlets must be a list of assets, e.g. [asset('s3://bucket/prefix/')], got ${describe(outlets)}.`);
  outlets.forEach((outlet: unknown, index: number) => {
    if (!isAsset(outlet)) fail(`outlets[${index}] is not an asset; build it with asset('s3://bucket/prefix/').`);
  });

  const callbacks: ResolvedTaskCallbacks = Object.freeze({
    onExecute: resolveCallbackList(where, 'onExecute', pick('onExecute')),
    onSuccess: resolveCallbackList(where, 'onSuccess', pick('onSuccess')),
    onFailure: resolveCallbackList(where, 'onFailure', pick('onFailure')),
    onRetry: resolveCallbackList(where, 'onRetry', pick('onRetry')),
  });

  return {
    triggerRule,
    retries,
    retryDelaySeconds: retryDelay,
    retryExponentialBackoff: backoff,
    maxRetryDelaySeconds: maxRetryDelay,
    executionTimeoutSeconds: executionTimeout,
    executor,
    executorConfig: executorConfig === null ? null : { ...(executorConfig as Record<string, unknown>) },
    pool,
    poolSlots,
    maxActiveTisPerDag,
    priorityWeight,
    weightRule,
    dependsOnPast,
    waitForDownstream,
    doc,
    // One event per asset even when it is listed twice.
    outlets: Object.freeze([...new Map(outlets.map((outlet) => [outlet.uri, outlet])).values()]),
    callbacks,
    deadline: resolveDeadline(where, pick('deadline'), 'task'),
  };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
