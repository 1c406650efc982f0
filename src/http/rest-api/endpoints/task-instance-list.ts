import { z } from 'zod';
import { taskInstanceDurationSeconds, type DagRunRecord, type TaskInstanceRecord } from '../../../core/model/records.ts';
import type { SerializedTask } from '../../../core/model/serialized-dag.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { renderedMapIndex, serializeTaskInstance } from '../serializers/task-instance.ts';
import { instantParam, page, paginationParams, repeated, stateParam } from './task-instance-support.ts';

/** `get_task_instances`: its query parameters, filters and ordering, as Airflow names them. */

const floatParam = z.coerce.number();

export const taskInstanceListQuery = z.object({
  ...paginationParams,
  order_by: z.string().optional(),
  task_id: z.string().optional(),
  state: repeated(stateParam),
  pool: repeated(z.string()),
  queue: repeated(z.string()),
  executor: repeated(z.string()),
  operator: repeated(z.string()),
  try_number: repeated(z.coerce.number().int()),
  map_index: repeated(z.coerce.number().int()),
  start_date_gte: instantParam.optional(),
  start_date_lte: instantParam.optional(),
  end_date_gte: instantParam.optional(),
  end_date_lte: instantParam.optional(),
  logical_date_gte: instantParam.optional(),
  logical_date_lte: instantParam.optional(),
  run_after_gte: instantParam.optional(),
  run_after_lte: instantParam.optional(),
  duration_gte: floatParam.optional(),
  duration_lte: floatParam.optional(),
});

export type TaskInstanceListQuery = z.infer<typeof taskInstanceListQuery>;

export interface TaskInstanceRow {
  ti: TaskInstanceRecord;
  run: DagRunRecord;
  task: SerializedTask | undefined;
}

function within(value: Date | number | null, gte: Date | number | undefined, lte: Date | number | undefined): boolean {
  if (gte === undefined && lte === undefined) return true;
  if (value === null) return false;
  const v = typeof value === 'number' ? value : value.getTime();
  if (gte !== undefined && v < (typeof gte === 'number' ? gte : gte.getTime())) return false;
  if (lte !== undefined && v > (typeof lte === 'number' ? lte : lte.getTime())) return false;
  return true;
}

export function matchesListQuery(row: TaskInstanceRow, q: TaskInstanceListQuery): boolean {
  const { ti, run } = row;
  if (q.task_id !== undefined && ti.taskId !== q.task_id) return false;
  if (q.state && !q.state.includes(ti.state)) return false;
  if (q.pool && !q.pool.includes(ti.pool)) return false;
  // Updraft has no queues: every instance's queue is null, so a queue filter matches none.
  if (q.queue) return false;
  if (q.executor && !(ti.executor !== null && q.executor.includes(ti.executor))) return false;
  if (q.operator && !q.operator.includes(ti.operator)) return false;
  if (q.try_number && !q.try_number.includes(ti.tryNumber)) return false;
  if (q.map_index && !q.map_index.includes(ti.mapIndex)) return false;
  return (
    within(ti.startDate, q.start_date_gte, q.start_date_lte) &&
    within(ti.endDate, q.end_date_gte, q.end_date_lte) &&
    within(run.logicalDate, q.logical_date_gte, q.logical_date_lte) &&
    within(run.runAfter, q.run_after_gte, q.run_after_lte) &&
    within(taskInstanceDurationSeconds(ti), q.duration_gte, q.duration_lte)
  );
}

type SortValue = string | number | null;

const SORT_KEYS: Record<string, (row: TaskInstanceRow) => SortValue> = {
  id: ({ ti }) => `${ti.dagId}\u0000${ti.runId}\u0000${ti.taskId}\u0000${String(ti.mapIndex).padStart(8, '0')}`,
  state: ({ ti }) => (ti.state === 'none' ? null : ti.state),
  duration: ({ ti }) => taskInstanceDurationSeconds(ti),
  start_date: ({ ti }) => ti.startDate?.getTime() ?? null,
  end_date: ({ ti }) => ti.endDate?.getTime() ?? null,
  map_index: ({ ti }) => ti.mapIndex,
  try_number: ({ ti }) => ti.tryNumber,
  logical_date: ({ run }) => run.logicalDate.getTime(),
  run_after: ({ run }) => run.runAfter.getTime(),
  data_interval_start: ({ run }) => run.dataInterval.start.getTime(),
  data_interval_end: ({ run }) => run.dataInterval.end.getTime(),
  rendered_map_index: ({ ti }) => renderedMapIndex(ti),
  operator: ({ ti }) => ti.operator,
};

/** Airflow's `order_by`: a field, `-field` for descending; ties broken by the instance's key. Nulls sort last. */
export function sortRows(rows: TaskInstanceRow[], orderBy: string | undefined): TaskInstanceRow[] {
  const spec = orderBy ?? 'map_index';
  const descending = spec.startsWith('-');
  const field = descending ? spec.slice(1) : spec;
  const key = SORT_KEYS[field];
  if (!key) {
    throw new RestApiHttpError(
      400,
      `Ordering with '${field}' is disallowed or the attribute does not exist on the model; use one of: ${Object.keys(SORT_KEYS).join(', ')}.`,
    );
  }
  const tie = SORT_KEYS.id!;
  const compare = (a: SortValue, b: SortValue): number => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return a < b ? -1 : 1;
  };
  return [...rows].sort((a, b) => {
    const primary = compare(key(a), key(b));
    if (primary !== 0) return descending && key(a) !== null && key(b) !== null ? -primary : primary;
    return compare(tie(a), tie(b));
  });
}

/**
 * The answer of a task instance list: the rows that match `filters` (default: the query), in the query's
 * order, one page of them, and how many matched.
 */
export function taskInstanceListAnswer(rows: TaskInstanceRow[], query: TaskInstanceListQuery, filters: TaskInstanceListQuery = query) {
  const matching = sortRows(
    rows.filter((row) => matchesListQuery(row, filters)),
    query.order_by,
  );
  return {
    task_instances: page(matching, query).map((row) => serializeTaskInstance(row.ti, row.run, row.task)),
    total_entries: matching.length,
  };
}
