import type { SerializedTimetableJson as SerializedTimetable } from '../../sdk/timetables/types.ts';
import type { SerializedAssetConditionJson as SerializedAssetCondition } from '../../sdk/assets.ts';
import type { TriggerRule } from './trigger-rules.ts';
import type { WeightRule } from '../../sdk/weight-rules.ts';
import type { MapSource, MappedInput, MappedInputTarget } from '../../sdk/mapping-types.ts';

/**
 * The serialized DAG: plain JSON produced by the DAG processor from a DAG file, and the only form of a
 * DAG the scheduler and the APIs ever see (they never import user code). It must round-trip through
 * JSON.stringify/JSON.parse without loss; `test/unit/core/serialization` proves it for every field.
 *
 * Instants are ISO-8601 strings in UTC; durations are seconds.
 */
export const SERIALIZED_DAG_FORMAT_VERSION = 1;

/** The SDK owns the timetables' JSON form (DAG files must not import the rest of Updraft); core uses it. */
export type { SerializedTimetable };

/** An asset condition (Airflow's Asset / AssetAll / AssetAny); the SDK owns its JSON form too. */
export type { SerializedAssetCondition };

/** An asset a task updates; `extra` is the asset's static metadata, omitted when empty. */
export interface SerializedAsset {
  uri: string;
  extra?: Record<string, unknown>;
}

/** A DAG-level param, as Airflow's `Param`: a default and an optional JSON-schema-ish description. */
export interface SerializedParam {
  default?: unknown;
  description?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
}

/** Where a TaskFlow argument comes from when the task runs. */
export type SerializedTaskArg =
  | { kind: 'literal'; value: unknown }
  | { kind: 'xcom'; taskId: string; key: string }
  /** Filled per instance from the `expandInputs` entry targeting this position. */
  | { kind: 'mapped' }
  /** The element of the enclosing mapped task group's list at the instance's map index. */
  | { kind: 'map_item'; groupId: string };

/** Dynamic task mapping: the SDK owns the shapes (mapping-types.ts); core uses them as they are. */
export type { MapSource as SerializedMapSource, MappedInput as SerializedMappedInput, MappedInputTarget as SerializedMappedInputTarget };

export interface SerializedTask {
  taskId: string;
  /** Which runner handles it: `taskflow` (user function), `bash`, `empty`, or a later operator. */
  operator: string;
  /** Direct upstream task ids, sorted. Downstream ids are derived, never stored. */
  upstreamTaskIds: string[];
  triggerRule: TriggerRule;
  retries: number;
  retryDelaySeconds: number;
  retryExponentialBackoff: boolean;
  maxRetryDelaySeconds: number | null;
  executionTimeoutSeconds: number | null;
  /** Executor name; null means the configured default executor. */
  executor: string | null;
  /** The executor's settings for this task (Airflow's executor_config), JSON. */
  executorConfig: Record<string, unknown> | null;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  /** Operator fields that are rendered as templates before the task runs (e.g. `bashCommand`). */
  templateFields: Record<string, unknown>;
  /** TaskFlow positional arguments after the context. Empty for other operators. */
  args: SerializedTaskArg[];
  /** Whether the return value is pushed as the `return_value` XCom. */
  doXcomPush: boolean;
  doc: string | null;
  /** Assets the task updates on success. Absent when none, so DAGs without assets keep their version ids. */
  outlets?: SerializedAsset[];
  // DAG shapes (task groups, setup/teardown): absent when default, so version ids do not change.
  /** The innermost task group holding the task (full id). Absent at the top level. */
  taskGroupId?: string;
  /** A setup task. Absent means false. */
  isSetup?: boolean;
  /** A teardown task (its trigger rule is all_done_setup_success). Absent means false. */
  isTeardown?: boolean;
  /** A teardown whose failure fails the run. Absent means false. */
  onFailureFailDagrun?: boolean;
  // Run control (priority weight rules, dependsOnPast): absent when default, so version ids do not change.
  /** How `priorityWeight` becomes the effective weight (Airflow's weight_rule). Absent means `downstream`. */
  weightRule?: WeightRule;
  /** Runs only when its instance in the previous run succeeded or was skipped. Absent means false. */
  dependsOnPast?: boolean;
  /** As dependsOnPast, and its direct downstreams' instances in the previous run too. Absent means false. */
  waitForDownstream?: boolean;
  // Concurrency limits: absent when unlimited, so version ids do not change.
  /** At most this many instances of the task queued or running across the DAG's runs (Airflow's max_active_tis_per_dag). */
  maxActiveTisPerDag?: number;
  // Dynamic task mapping: absent when the task is not mapped, so version ids do not change.
  /**
   * The task's mapped inputs (`.expand()`), in declaration order: one instance per combination of their
   * elements, the last input varying fastest. The instances are created once the lists are known.
   */
  expandInputs?: MappedInput[];
  /** The mapped task group the task is expanded with: one instance per element of the group's list. */
  mappedGroupId?: string;
  /** The task's deadline alert (absent when none); its callback lives in the bundle. */
  deadline?: SerializedTaskDeadline;
}

export interface SerializedDag {
  formatVersion: typeof SERIALIZED_DAG_FORMAT_VERSION;
  dagId: string;
  /** Path of the DAG file relative to the DAG bundle root (the `dags/` prefix), e.g. `etl/orders.ts`. */
  fileloc: string;
  description: string | null;
  tags: string[];
  timetable: SerializedTimetable;
  /** The schedule as the author wrote it, for display (`"@daily"`, `"0 6 * * *"`, null). */
  scheduleDescription: string | null;
  startDate: string | null;
  endDate: string | null;
  timezone: string;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  params: Record<string, SerializedParam>;
  /**
   * The assets whose updates run the DAG, beside its timetable (which is `null` for assets only).
   * Absent when the DAG is not scheduled on assets.
   */
  assetCondition?: SerializedAssetCondition;
  // DAG-run callbacks and deadline alerts (their code stays in the bundle): absent when none, so version ids do not change.
  /** The run ends the DAG has callbacks for, so the scheduler sends them without importing user code. */
  runCallbacks?: SerializedRunCallbackEvent[];
  /** The DAG's deadline alert (Airflow 3.1's DeadlineAlert); its callback lives in the bundle. */
  deadline?: SerializedDeadline;
  /** Task groups by full id, for display. Absent when the DAG has none. */
  taskGroups?: Record<string, SerializedTaskGroup>;
  /** Tasks in a topological order (every upstream before its downstreams). */
  tasks: SerializedTask[];
}

/** A task group (Airflow's TaskGroup): the group holding it and its tooltip, each absent when none. */
export interface SerializedTaskGroup {
  parentGroupId?: string;
  tooltip?: string;
  /** A mapped task group's list (`taskGroup.expand()`); absent for a plain group. */
  expand?: MapSource;
}

/** A DAG-run end a DAG has a callback for (its `onSuccess` / `onFailure`). */
export type SerializedRunCallbackEvent = 'success' | 'failure';

/**
 * When a run's deadline falls: `reference` + `intervalSeconds` (negative: before the reference).
 * `fixed_datetime` names the instant in `at`; the others read it from the run.
 */
export type SerializedDeadline =
  | { reference: 'dagrun_queued_at' | 'dagrun_logical_date'; intervalSeconds: number }
  | { reference: 'fixed_datetime'; at: string; intervalSeconds: number };

/**
 * When a task instance's deadline falls: `reference` + `intervalSeconds`. `task_queued_at` and
 * `task_started_at` read the instance's current try (no deadline before it has one).
 */
export type SerializedTaskDeadline =
  | { reference: 'task_queued_at' | 'task_started_at'; intervalSeconds: number }
  | { reference: 'fixed_datetime'; at: string; intervalSeconds: number };
