import { z } from 'zod';
import type { SerializedDag, SerializedParam, SerializedTask } from '../../../core/model/serialized-dag.ts';

/**
 * Tasks of a serialized DAG in Airflow's TaskResponse shape. Updraft tasks have no owner, queue, colours,
 * mapping, outlets or extra links: those answer Airflow's "none" (null, false, []). A task inherits its
 * DAG's start and end dates and params, as Airflow's tasks do. docs/rest-api.md lists the differences.
 */

const instant = z.iso.datetime({ offset: true });

/** Airflow's TimeDelta JSON: `{"__type": "TimeDelta", "days": 0, "seconds": 300, "microseconds": 0}`. */
export const timeDeltaSchema = z.object({
  __type: z.literal('TimeDelta'),
  days: z.number().int(),
  seconds: z.number().int(),
  microseconds: z.number().int(),
});

export const taskSchema = z.object({
  task_id: z.string().nullable(),
  task_display_name: z.string().nullable(),
  owner: z.string().nullable(),
  start_date: instant.nullable(),
  end_date: instant.nullable(),
  trigger_rule: z.string().nullable(),
  depends_on_past: z.boolean(),
  wait_for_downstream: z.boolean(),
  retries: z.number().nullable(),
  queue: z.string().nullable(),
  pool: z.string().nullable(),
  pool_slots: z.number().nullable(),
  execution_timeout: timeDeltaSchema.nullable(),
  retry_delay: timeDeltaSchema.nullable(),
  retry_exponential_backoff: z.boolean(),
  priority_weight: z.number().nullable(),
  weight_rule: z.string().nullable(),
  ui_color: z.string().nullable(),
  ui_fgcolor: z.string().nullable(),
  template_fields: z.array(z.string()).nullable(),
  downstream_task_ids: z.array(z.string()).nullable(),
  doc_md: z.string().nullable(),
  operator_name: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  class_ref: z.object({ module_path: z.string().nullable(), class_name: z.string().nullable() }).nullable(),
  is_mapped: z.boolean().nullable(),
  has_outlets: z.boolean(),
  extra_links: z.array(z.string()),
});

export const taskCollectionSchema = z.object({ tasks: z.array(taskSchema), total_entries: z.number().int() });

export type TaskJson = z.infer<typeof taskSchema>;

/** The SDK function that declares each operator, named as Airflow names the operator class. */
const OPERATOR_NAMES: Record<string, { operatorName: string; className: string }> = {
  taskflow: { operatorName: '@task', className: 'TaskflowOperator' },
  bash: { operatorName: 'BashOperator', className: 'BashOperator' },
  empty: { operatorName: 'EmptyOperator', className: 'EmptyOperator' },
  python: { operatorName: 'PythonTaskOperator', className: 'PythonTaskOperator' },
  branch: { operatorName: '@task.branch', className: 'BranchOperator' },
  short_circuit: { operatorName: '@task.short_circuit', className: 'ShortCircuitOperator' },
  latest_only: { operatorName: 'LatestOnlyOperator', className: 'LatestOnlyOperator' },
};

/** A sensor is shown as the Airflow sensor class its kind stands for (templateFields.sensor.kind). */
const SENSOR_CLASSES: Record<string, string> = {
  custom: 'PythonSensor',
  s3_key: 'S3KeySensor',
  external_task: 'ExternalTaskSensor',
  time_delta: 'TimeDeltaSensor',
  date_time: 'DateTimeSensor',
  http: 'HttpSensor',
};

function sensorNames(task: SerializedTask): { operatorName: string; className: string } | null {
  if (task.operator !== 'sensor') return null;
  const kind = (task.templateFields.sensor as { kind?: unknown } | undefined)?.kind;
  const className = (typeof kind === 'string' ? SENSOR_CLASSES[kind] : undefined) ?? 'BaseSensorOperator';
  return { operatorName: className, className };
}

/** The module DAG files import operators from: Airflow's class_ref.module_path. */
const SDK_MODULE = 'updraft/sdk';

export function timeDelta(totalSeconds: number | null): z.infer<typeof timeDeltaSchema> | null {
  if (totalSeconds === null) return null;
  const whole = Math.floor(totalSeconds);
  return {
    __type: 'TimeDelta',
    days: Math.floor(whole / 86_400),
    seconds: whole % 86_400,
    microseconds: Math.round((totalSeconds - whole) * 1_000_000),
  };
}

/** Airflow's Param.dump(): the value, the description and the JSON schema. */
function dumpParams(params: Record<string, SerializedParam>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([name, param]) => [
      name,
      { value: param.default ?? null, description: param.description ?? null, schema: param.type ? { type: param.type } : {}, source: null },
    ]),
  );
}

/** Downstream ids of every task, derived from the stored upstream lists. */
export function downstreamIndex(dag: SerializedDag): Map<string, string[]> {
  const downstream = new Map<string, string[]>(dag.tasks.map((task) => [task.taskId, []]));
  for (const task of dag.tasks) for (const upstream of task.upstreamTaskIds) downstream.get(upstream)?.push(task.taskId);
  for (const ids of downstream.values()) ids.sort();
  return downstream;
}

export function serializeTask(dag: SerializedDag, task: SerializedTask, downstream: ReadonlyMap<string, string[]>): TaskJson {
  const names = sensorNames(task) ?? OPERATOR_NAMES[task.operator] ?? { operatorName: task.operator, className: task.operator };
  return {
    task_id: task.taskId,
    task_display_name: task.taskId,
    owner: null,
    start_date: dag.startDate,
    end_date: dag.endDate,
    trigger_rule: task.triggerRule,
    // waitForDownstream implies dependsOnPast, as in Airflow.
    depends_on_past: task.dependsOnPast === true || task.waitForDownstream === true,
    wait_for_downstream: task.waitForDownstream === true,
    retries: task.retries,
    queue: null,
    pool: task.pool,
    pool_slots: task.poolSlots,
    execution_timeout: timeDelta(task.executionTimeoutSeconds),
    retry_delay: timeDelta(task.retryDelaySeconds),
    retry_exponential_backoff: task.retryExponentialBackoff,
    // The task's own weight and its rule, as Airflow; task instances carry the effective weight.
    priority_weight: task.priorityWeight,
    weight_rule: task.weightRule ?? 'downstream',
    ui_color: null,
    ui_fgcolor: null,
    template_fields: Object.keys(task.templateFields),
    downstream_task_ids: downstream.get(task.taskId) ?? [],
    doc_md: task.doc,
    operator_name: names.operatorName,
    params: dumpParams(dag.params),
    class_ref: { module_path: SDK_MODULE, class_name: names.className },
    // Airflow's get_needs_expansion: the task's own expand(), or an enclosing mapped task group.
    is_mapped: task.expandInputs !== undefined || task.mappedGroupId !== undefined,
    has_outlets: false,
    extra_links: [],
  };
}
