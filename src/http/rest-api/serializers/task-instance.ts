import { z } from 'zod';
import { encodeTaskInstanceId } from '../../../core/model/keys.ts';
import { taskInstanceDurationSeconds, type DagRunRecord, type TaskInstanceRecord } from '../../../core/model/records.ts';
import type { SerializedTask } from '../../../core/model/serialized-dag.ts';
import { TASK_INSTANCE_STATES } from '../../../core/model/states.ts';

/**
 * Task instances in Airflow's REST API v2 shape (TaskInstanceResponse, TaskInstanceHistoryResponse).
 * Fields Updraft does not keep are answered as Airflow answers "none" (docs/rest-api.md lists them).
 */

const instant = z.string().nullable();
/** Airflow's state, with `null` for Updraft's `none`. */
const stateSchema = z.enum(TASK_INSTANCE_STATES.filter((s) => s !== 'none') as [string, ...string[]]).nullable();

const historyFields = {
  task_id: z.string(),
  dag_id: z.string(),
  dag_run_id: z.string(),
  map_index: z.number().int(),
  start_date: instant,
  end_date: instant,
  duration: z.number().nullable(),
  state: stateSchema,
  try_number: z.number().int(),
  max_tries: z.number().int(),
  task_display_name: z.string(),
  hostname: z.string().nullable(),
  unixname: z.string().nullable(),
  pool: z.string(),
  pool_slots: z.number().int(),
  queue: z.string().nullable(),
  priority_weight: z.number().int().nullable(),
  operator: z.string().nullable(),
  queued_when: instant,
  scheduled_when: instant,
  pid: z.number().int().nullable(),
  executor: z.string().nullable(),
  executor_config: z.string(),
  dag_version: z.null(),
};

export const taskInstanceHistorySchema = z.object(historyFields);

export const taskInstanceSchema = z.object({
  id: z.string(),
  ...historyFields,
  logical_date: instant,
  run_after: z.string(),
  note: z.string().nullable(),
  rendered_map_index: z.string().nullable(),
  rendered_fields: z.record(z.string(), z.unknown()),
  trigger: z.null(),
  triggerer_job: z.null(),
});

export const taskInstanceCollectionSchema = z.object({ task_instances: z.array(taskInstanceSchema), total_entries: z.number().int() });
export const taskInstanceHistoryCollectionSchema = z.object({
  task_instances: z.array(taskInstanceHistorySchema),
  total_entries: z.number().int(),
});

export type TaskInstanceJson = z.infer<typeof taskInstanceSchema>;
export type TaskInstanceHistoryJson = z.infer<typeof taskInstanceHistorySchema>;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Airflow counts retries in max_tries; Updraft's `maxTries` counts tries (retries + 1). */
export function airflowMaxTries(ti: Pick<TaskInstanceRecord, 'maxTries'>): number {
  return Math.max(0, ti.maxTries - 1);
}

export function serializeTaskInstanceHistory(ti: TaskInstanceRecord, task: SerializedTask | undefined): TaskInstanceHistoryJson {
  return {
    task_id: ti.taskId,
    dag_id: ti.dagId,
    dag_run_id: ti.runId,
    map_index: ti.mapIndex,
    start_date: iso(ti.startDate),
    end_date: iso(ti.endDate),
    duration: taskInstanceDurationSeconds(ti),
    state: ti.state === 'none' ? null : ti.state,
    try_number: ti.tryNumber,
    max_tries: airflowMaxTries(ti),
    task_display_name: ti.taskId,
    // The worker that holds (or last held) the attempt: Lambda workers and containers have no stable host.
    hostname: ti.workerId,
    unixname: null,
    pool: ti.pool,
    pool_slots: task?.poolSlots ?? 1,
    queue: null,
    priority_weight: ti.priorityWeight,
    operator: ti.operator,
    queued_when: iso(ti.queuedAt),
    scheduled_when: null,
    pid: null,
    executor: ti.executor,
    executor_config: JSON.stringify(task?.executorConfig ?? {}),
    dag_version: null,
  };
}

/**
 * Airflow renders a mapped instance's `map_index_template` here, falling back to the map index; Updraft
 * has no such template, so a mapped instance shows its map index and an unmapped one null.
 */
export function renderedMapIndex(ti: Pick<TaskInstanceRecord, 'mapIndex'>): string | null {
  return ti.mapIndex >= 0 ? String(ti.mapIndex) : null;
}

export function serializeTaskInstance(ti: TaskInstanceRecord, run: DagRunRecord | null, task: SerializedTask | undefined): TaskInstanceJson {
  return {
    id: encodeTaskInstanceId(ti),
    ...serializeTaskInstanceHistory(ti, task),
    logical_date: iso(run?.logicalDate ?? null),
    run_after: (run?.runAfter ?? new Date(0)).toISOString(),
    note: null,
    rendered_map_index: renderedMapIndex(ti),
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
  };
}

/**
 * An earlier try of which only the number is known: Updraft keeps the latest attempt's record only, so
 * what earlier tries were is not stored (their logs are, under `attempt=<n>`).
 */
export function serializeEarlierTry(ti: TaskInstanceRecord, tryNumber: number, task: SerializedTask | undefined): TaskInstanceHistoryJson {
  return {
    ...serializeTaskInstanceHistory(ti, task),
    try_number: tryNumber,
    state: null,
    start_date: null,
    end_date: null,
    duration: null,
    queued_when: null,
    hostname: null,
  };
}
