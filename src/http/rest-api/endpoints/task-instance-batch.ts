import { z } from 'zod';
import { taskInstanceDurationSeconds, type DagRunRecord } from '../../../core/model/records.ts';
import { TASK_INSTANCE_STATES, type TaskInstanceState } from '../../../core/model/states.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { serializeTaskInstance, taskInstanceCollectionSchema } from '../serializers/task-instance.ts';
import { sortRows, type TaskInstanceRow } from './task-instance-list.ts';
import { ANY, MAXIMUM_PAGE_LIMIT, page, TaskLookup, withoutMappedPlaceholders } from './task-instance-support.ts';

/**
 * `get_task_instances_batch` (`POST /dags/~/dagRuns/~/taskInstances/list`): Airflow's list of task
 * instances across DAGs and runs with the filters in a JSON body, limited to the DAGs the caller may read.
 */

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value)).nullable().optional();
const names = z.array(z.string()).nullable().optional();

const rangeFields = (name: string, schema: z.ZodType) => ({
  [`${name}_gte`]: schema,
  [`${name}_gt`]: schema,
  [`${name}_lte`]: schema,
  [`${name}_lt`]: schema,
});

const duration = z.number().nullable().optional();

const batchBody = z
  .object({
    dag_ids: names,
    dag_run_ids: names,
    task_ids: names,
    // Airflow's null state is `null` here (Updraft's none).
    state: z
      .array(z.enum(TASK_INSTANCE_STATES.filter((s) => s !== 'none') as [string, ...string[]]).nullable())
      .nullable()
      .optional(),
    ...rangeFields('run_after', instant),
    ...rangeFields('logical_date', instant),
    ...rangeFields('start_date', instant),
    ...rangeFields('end_date', instant),
    ...rangeFields('duration', duration),
    pool: names,
    queue: names,
    executor: names,
    page_offset: z.number().int().min(0).default(0),
    page_limit: z.number().int().min(0).default(100),
    order_by: z.string().nullable().optional(),
  })
  .strict();

type BatchBody = z.infer<typeof batchBody>;
type Bound = Date | number | null | undefined;

/** Airflow's batch orders by these fields only. */
const BATCH_ORDER_FIELDS = new Set(['id', 'state', 'duration', 'start_date', 'end_date', 'map_index']);

function inRange(value: Date | number | null, body: BatchBody, name: string): boolean {
  const bounds = body as unknown as Record<string, Bound>;
  const [gte, gt, lte, lt] = ['gte', 'gt', 'lte', 'lt'].map((suffix) => {
    const bound = bounds[`${name}_${suffix}`];
    return bound === null || bound === undefined ? undefined : typeof bound === 'number' ? bound : bound.getTime();
  });
  if (gte === undefined && gt === undefined && lte === undefined && lt === undefined) return true;
  if (value === null) return false;
  const v = typeof value === 'number' ? value : value.getTime();
  return (gte === undefined || v >= gte) && (gt === undefined || v > gt) && (lte === undefined || v <= lte) && (lt === undefined || v < lt);
}

function matches({ ti, run }: TaskInstanceRow, body: BatchBody): boolean {
  if (body.task_ids && !body.task_ids.includes(ti.taskId)) return false;
  if (body.state && !body.state.map((s) => (s ?? 'none') as TaskInstanceState).includes(ti.state)) return false;
  if (body.pool && !body.pool.includes(ti.pool)) return false;
  // Updraft has no queues: every instance's queue is null, so a queue filter matches none.
  if (body.queue) return false;
  if (body.executor && !(ti.executor !== null && body.executor.includes(ti.executor))) return false;
  return (
    inRange(run.runAfter, body, 'run_after') &&
    inRange(run.logicalDate, body, 'logical_date') &&
    inRange(ti.startDate, body, 'start_date') &&
    inRange(ti.endDate, body, 'end_date') &&
    inRange(taskInstanceDurationSeconds(ti), body, 'duration')
  );
}

async function readableRuns(request: EndpointRequest, body: BatchBody): Promise<DagRunRecord[]> {
  const { deps, user, authManager } = request;
  const dags = (await deps.metastore.listDags()).filter((dag) => !body.dag_ids || body.dag_ids.includes(dag.dagId));
  const allowed = await authManager.getAuthorizedDagIds({
    user: user!,
    method: 'GET',
    dagIds: dags.map((dag) => dag.dagId),
    tagsByDag: new Map(dags.map((dag) => [dag.dagId, dag.tags])),
  });
  const runs = (await Promise.all(dags.filter((dag) => allowed.has(dag.dagId)).map((dag) => deps.metastore.listDagRuns(dag.dagId)))).flat();
  return body.dag_run_ids ? runs.filter((run) => body.dag_run_ids!.includes(run.runId)) : runs;
}

async function listBatch(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  if (params.dag_id !== ANY || params.dag_run_id !== ANY) {
    throw new RestApiHttpError(422, `The batch list is served at /api/v2/dags/~/dagRuns/~/taskInstances/list only; filter with dag_ids and dag_run_ids in the body.`);
  }
  const body = request.body as BatchBody;
  const field = body.order_by?.replace(/^-/, '');
  if (field !== undefined && !BATCH_ORDER_FIELDS.has(field)) {
    throw new RestApiHttpError(400, `Ordering with '${field}' is disallowed or the attribute does not exist on the model; use one of: ${[...BATCH_ORDER_FIELDS].join(', ')}.`);
  }
  const lookup = new TaskLookup(deps.metastore);
  const rows: TaskInstanceRow[] = [];
  for (const run of await readableRuns(request, body)) {
    for (const ti of withoutMappedPlaceholders(await deps.metastore.listTaskInstances(run))) {
      rows.push({ ti, run, task: await lookup.task(run, ti.taskId) });
    }
  }
  const matching = sortRows(
    rows.filter((row) => matches(row, body)),
    body.order_by ?? 'map_index',
  );
  const pageRows = page(matching, { offset: body.page_offset, limit: Math.min(body.page_limit, MAXIMUM_PAGE_LIMIT) });
  return c.json({ task_instances: pageRows.map((row) => serializeTaskInstance(row.ti, row.run, row.task)), total_entries: matching.length }, 200);
}

export const TASK_INSTANCE_BATCH_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_task_instances_batch',
    method: 'post',
    path: `${REST_API_PREFIX}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list`,
    tag: 'Task Instance',
    summary: 'Get Task Instances Batch',
    description:
      'Task instances across DAGs and runs (dag_id and dag_run_id must be ~), filtered by the body: dag_ids, dag_run_ids, task_ids, ' +
      'state (null for no state), pool, queue, executor, run_after / logical_date / start_date / end_date / duration with ' +
      '_gte, _gt, _lte, _lt; page_offset, page_limit (default 100), order_by id, state, duration, start_date, end_date or map_index ' +
      '(default map_index). Only DAGs the caller may read are listed.',
    authorization: { kind: 'handler' },
    body: batchBody,
    success: { status: 200, description: 'The task instances.', schema: taskInstanceCollectionSchema },
    errors: [400, 422],
    handle: listBatch,
  },
];
