import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../../core/model/records.ts';
import { MARKABLE_STATES } from '../../../core/scheduling/clearing.ts';
import { TaskInstanceClearer } from '../../../services/clearing/index.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { REST_API_PREFIX } from '../routes.ts';
import {
  serializeEarlierTry,
  serializeTaskInstance,
  serializeTaskInstanceHistory,
  taskInstanceCollectionSchema,
  taskInstanceHistoryCollectionSchema,
  taskInstanceHistorySchema,
  taskInstanceSchema,
} from '../serializers/task-instance.ts';
import { LOG_ENDPOINTS } from './task-instance-logs.ts';
import { matchesListQuery, sortRows, taskInstanceListAnswer, taskInstanceListQuery, type TaskInstanceListQuery, type TaskInstanceRow } from './task-instance-list.ts';
import { MAPPED_TASK_INSTANCE_ENDPOINTS } from './mapped-task-instances.ts';
import { TASK_INSTANCE_BATCH_ENDPOINTS } from './task-instance-batch.ts';
import {
  getRunOr404,
  getTaskInstanceOr404,
  hideMappedPlaceholders,
  instancesOfTaskOr404,
  mapIndexParam,
  page,
  runsInScope,
  TaskLookup,
  withoutMappedPlaceholders,
} from './task-instance-support.ts';
import { XCOM_ENDPOINTS } from './xcom.ts';

const TI_PATH = `${REST_API_PREFIX}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances`;
const TAG = 'Task Instance';
const READ = { kind: 'dag', method: 'GET', accessEntity: 'TASK_INSTANCE', dagIdParam: 'dag_id' } as const;
const EDIT = { kind: 'dag', method: 'PUT', accessEntity: 'TASK_INSTANCE', dagIdParam: 'dag_id' } as const;

const flag = z.boolean().default(false);

const patchBody = z
  .object({
    new_state: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(MARKABLE_STATES))
      .optional(),
    note: z.string().max(1000).nullable().optional(),
    include_upstream: flag,
    include_downstream: flag,
    include_future: flag,
    include_past: flag,
  })
  .strict();

const taskIdOrMapped = z.union([z.string(), z.tuple([z.string(), z.number().int().min(0)])]);

const clearBody = z
  .object({
    dry_run: z.boolean().default(true),
    start_date: z.iso.datetime({ offset: true }).nullable().optional(),
    end_date: z.iso.datetime({ offset: true }).nullable().optional(),
    only_failed: z.boolean().default(true),
    only_running: z.boolean().default(false),
    reset_dag_runs: z.boolean().default(true),
    task_ids: z.array(taskIdOrMapped).min(1, 'task_ids list should have at least 1 element.').nullable().optional(),
    dag_run_id: z.string().nullable().optional(),
    include_upstream: flag,
    include_downstream: flag,
    include_future: flag,
    include_past: flag,
    run_on_latest_version: z.boolean().optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.only_failed && body.only_running) ctx.addIssue({ code: 'custom', message: 'only_failed and only_running both are set to True', path: ['only_running'] });
    if (body.start_date && body.end_date && Date.parse(body.start_date) > Date.parse(body.end_date)) {
      ctx.addIssue({ code: 'custom', message: 'end_date is sooner than start_date', path: ['end_date'] });
    }
    if (body.dag_run_id && (body.start_date || body.end_date)) {
      ctx.addIssue({ code: 'custom', message: 'Exactly one of dag_run_id or (start_date and end_date) must be provided', path: ['dag_run_id'] });
    }
  });

type ClearBody = z.infer<typeof clearBody>;
type PatchBody = z.infer<typeof patchBody>;

function clearer(request: EndpointRequest): TaskInstanceClearer {
  const { metastore, objectStore, clock, logger, executors } = request.deps;
  return new TaskInstanceClearer({ metastore, objectStore, clock, logger, executors });
}

/** The instances an answer lists, without the placeholders of expanded mapped tasks (Airflow has none). */
async function serializeAll(request: EndpointRequest, tis: readonly TaskInstanceRecord[], runs: ReadonlyMap<string, DagRunRecord>) {
  const lookup = new TaskLookup(request.deps.metastore);
  const visible = await hideMappedPlaceholders(request.deps.metastore, lookup, tis, runs);
  return Promise.all(
    visible.map(async (ti) => {
      const run = runs.get(ti.runId) ?? null;
      return serializeTaskInstance(ti, run, run ? await lookup.task(run, ti.taskId) : undefined);
    }),
  );
}

async function listTaskInstances(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const query = request.query as TaskInstanceListQuery;
  const runs = await runsInScope(request, params.dag_id!, params.dag_run_id!, 'TASK_INSTANCE');
  const lookup = new TaskLookup(deps.metastore);
  const rows: TaskInstanceRow[] = [];
  for (const run of runs) {
    const tis = withoutMappedPlaceholders(await deps.metastore.listTaskInstances(run));
    for (const ti of tis) rows.push({ ti, run, task: await lookup.task(run, ti.taskId) });
  }
  return c.json(taskInstanceListAnswer(rows, query), 200);
}

async function getOne(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const mapIndex = mapIndexParam(params.map_index);
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const ti = await getTaskInstanceOr404(deps.metastore, { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex });
  return c.json(serializeTaskInstance(ti, run, await new TaskLookup(deps.metastore).task(run, ti.taskId)), 200);
}

async function patch(request: EndpointRequest, dryRun: boolean): Promise<Response> {
  const { c, params, deps } = request;
  const body = request.body as PatchBody;
  const mapIndex = params.map_index === undefined ? null : mapIndexParam(params.map_index);
  if (body.include_future || body.include_past) {
    throw new RestApiHttpError(400, 'include_future and include_past are not supported by Updraft yet: mark the task instances of each run.');
  }
  if (body.note !== undefined && body.note !== null) {
    throw new RestApiHttpError(400, 'Task instance notes are not stored by Updraft yet: send the request without "note".');
  }
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const taskId = params.task_id!;
  // Without a map index Airflow patches every instance of the task: its one, or all its mapped ones.
  const targets =
    mapIndex === null
      ? await instancesOfTaskOr404(deps.metastore, run, taskId)
      : [await getTaskInstanceOr404(deps.metastore, { dagId: run.dagId, runId: run.runId, taskId, mapIndex })];
  let tis: TaskInstanceRecord[] = targets;
  if (body.new_state) {
    tis = await clearer(request).mark({
      run,
      dryRun,
      selection: {
        taskId,
        mapIndex,
        newState: body.new_state,
        includeUpstream: body.include_upstream,
        includeDownstream: body.include_downstream,
      },
    });
    // Targets already in the new state are still answered, as Airflow answers the patched instances.
    const marked = new Set(tis.filter((ti) => ti.taskId === taskId).map((ti) => ti.mapIndex));
    const unchanged = targets.filter((target) => !marked.has(target.mapIndex));
    if (!dryRun && unchanged.length > 0) {
      tis = [...(await Promise.all(unchanged.map(async (target) => (await deps.metastore.getTaskInstance(target)) ?? target))), ...tis];
    }
  }
  const serialized = await serializeAll(request, tis, new Map([[run.runId, run]]));
  return c.json({ task_instances: serialized, total_entries: serialized.length }, 200);
}

async function clear(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const body = request.body as ClearBody;
  const dagId = params.dag_id!;
  if (!(await deps.metastore.getDag(dagId))) throw new NotFoundError(`DAG with dag_id: \`${dagId}\` was not found.`);
  let runs: DagRunRecord[];
  let start = body.start_date ? new Date(body.start_date) : null;
  let end = body.end_date ? new Date(body.end_date) : null;
  if (body.dag_run_id) {
    const run = await deps.metastore.getDagRun({ dagId, runId: body.dag_run_id });
    if (!run) throw new NotFoundError(`Dag Run id ${body.dag_run_id} not found in dag ${dagId}`);
    if (!body.include_past && !body.include_future) {
      runs = [run];
    } else {
      start = body.include_past ? null : run.logicalDate;
      end = body.include_future ? null : run.logicalDate;
      runs = await runsBetween(request, dagId, start, end);
    }
  } else {
    if (body.include_past) start = null;
    if (body.include_future) end = null;
    runs = await runsBetween(request, dagId, start, end);
  }
  const taskIds = body.task_ids ? [...new Set(body.task_ids.map((id) => (typeof id === 'string' ? id : id[0])))] : null;
  const tis = await clearer(request).clear({
    runs,
    dryRun: body.dry_run,
    resetDagRuns: body.reset_dag_runs,
    selection: {
      taskIds,
      onlyFailed: body.only_failed,
      onlyRunning: body.only_running,
      includeUpstream: body.include_upstream,
      includeDownstream: body.include_downstream,
      mapIndexes: mapIndexesOf(body.task_ids ?? []),
    },
  });
  const serialized = await serializeAll(request, tis, new Map(runs.map((run) => [run.runId, run])));
  return c.json({ task_instances: serialized, total_entries: serialized.length }, 200);
}

async function runsBetween(request: EndpointRequest, dagId: string, start: Date | null, end: Date | null): Promise<DagRunRecord[]> {
  const runs = await request.deps.metastore.listDagRuns(dagId);
  return runs.filter(
    (run) => (start === null || run.logicalDate.getTime() >= start.getTime()) && (end === null || run.logicalDate.getTime() <= end.getTime()),
  );
}

async function tries(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const ti = await getTaskInstanceOr404(deps.metastore, { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: mapIndexParam(params.map_index) });
  const task = await new TaskLookup(deps.metastore).task(run, ti.taskId);
  const earlier = Array.from({ length: Math.max(0, ti.tryNumber - 1) }, (_, i) => serializeEarlierTry(ti, i + 1, task));
  const all = [...earlier, ...(ti.tryNumber > 0 ? [serializeTaskInstanceHistory(ti, task)] : [])];
  return c.json({ task_instances: all, total_entries: all.length }, 200);
}

async function tryDetails(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const tryNumber = Number(params.task_try_number);
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const ti = await getTaskInstanceOr404(deps.metastore, { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: mapIndexParam(params.map_index) });
  if (!Number.isInteger(tryNumber) || tryNumber < 1 || tryNumber > ti.tryNumber) {
    throw new NotFoundError(
      `The Task Instance with dag_id: \`${ti.dagId}\`, run_id: \`${ti.runId}\`, task_id: \`${ti.taskId}\`, try_number: \`${params.task_try_number}\` ` +
        `and map_index: \`${ti.mapIndex}\` was not found; it has made ${ti.tryNumber} tries.`,
    );
  }
  const task = await new TaskLookup(deps.metastore).task(run, ti.taskId);
  return c.json(tryNumber === ti.tryNumber ? serializeTaskInstanceHistory(ti, task) : serializeEarlierTry(ti, tryNumber, task), 200);
}

const getOneEndpoint = (mapped: boolean): Endpoint => ({
  operationId: mapped ? 'get_mapped_task_instance' : 'get_task_instance',
  method: 'get',
  path: `${TI_PATH}/{task_id}${mapped ? '/{map_index}' : ''}`,
  tag: TAG,
  summary: mapped ? 'Get Mapped Task Instance' : 'Get Task Instance',
  description: 'One task instance of a DAG run.',
  authorization: READ,
  success: { status: 200, description: 'The task instance.', schema: taskInstanceSchema },
  errors: [404],
  handle: getOne,
});

const patchEndpoint = (mapped: boolean, dryRun: boolean): Endpoint => ({
  operationId: `patch_task_instance${dryRun ? '_dry_run' : ''}${mapped ? '_by_map_index' : ''}`,
  method: 'patch',
  path: `${TI_PATH}/{task_id}${mapped ? '/{map_index}' : ''}${dryRun ? '/dry_run' : ''}`,
  tag: TAG,
  summary: dryRun ? 'Patch Task Instance Dry Run' : 'Patch Task Instance',
  description:
    'Marks the task instance (and, with include_upstream / include_downstream, its relatives) success, failed or skipped, as ' +
    "Airflow's set_state; a running attempt is stopped through its executor. Failed and upstream-failed instances downstream " +
    'are then cleared so the run resumes. The dry_run variant answers what would be marked. Notes and include_past/future are not supported.',
  authorization: EDIT,
  body: patchBody,
  success: { status: 200, description: 'The task instances marked.', schema: taskInstanceCollectionSchema },
  errors: [400, 404, 409, 422],
  handle: (request) => patch(request, dryRun),
});

const triesEndpoint = (mapped: boolean): Endpoint => ({
  operationId: mapped ? 'get_mapped_task_instance_tries' : 'get_task_instance_tries',
  method: 'get',
  path: `${TI_PATH}/{task_id}${mapped ? '/{map_index}' : ''}/tries`,
  tag: TAG,
  summary: 'Get Task Instance Tries',
  description:
    'Every try of the task instance. Updraft keeps the record of the latest try only: earlier tries are listed with their ' +
    'number and null state and dates (their logs are kept: GET .../logs/{try_number}).',
  authorization: READ,
  success: { status: 200, description: 'The tries.', schema: taskInstanceHistoryCollectionSchema },
  errors: [404],
  handle: tries,
});

const tryDetailsEndpoint = (mapped: boolean): Endpoint => ({
  operationId: mapped ? 'get_mapped_task_instance_try_details' : 'get_task_instance_try_details',
  method: 'get',
  path: `${TI_PATH}/{task_id}${mapped ? '/{map_index}' : ''}/tries/{task_try_number}`,
  tag: TAG,
  summary: 'Get Task Instance Try Details',
  description: 'One try of the task instance (see get_task_instance_tries for what is known of earlier tries).',
  authorization: READ,
  success: { status: 200, description: 'The try.', schema: taskInstanceHistorySchema },
  errors: [404],
  handle: tryDetails,
});

/**
 * Task instances, their tries, logs and XComs. Hono matches routes in registration order, so every
 * route with a fixed segment after `{task_id}` (tries, logs, xcomEntries, dry_run) comes before the
 * `{task_id}/{map_index}` routes, which would otherwise take "tries" (or "listMapped") for a map index.
 */
export const TASK_INSTANCE_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_task_instances',
    method: 'get',
    path: TI_PATH,
    tag: TAG,
    summary: 'Get Task Instances',
    description:
      'Task instances of a DAG run; `~` as dag_id and/or dag_run_id lists across DAGs and runs (only DAGs the caller may read). ' +
      'Filters as Airflow: state (repeatable; no_status for none), task_id, pool, executor, operator, try_number, map_index, ' +
      'start/end/logical_date/run_after _gte/_lte, duration_gte/_lte; order_by a field or -field (default map_index).',
    authorization: { kind: 'handler' },
    query: taskInstanceListQuery,
    success: { status: 200, description: 'The task instances.', schema: taskInstanceCollectionSchema },
    errors: [400, 404, 422],
    handle: listTaskInstances,
  },
  {
    operationId: 'post_clear_task_instances',
    method: 'post',
    path: `${REST_API_PREFIX}/dags/{dag_id}/clearTaskInstances`,
    tag: TAG,
    summary: 'Post Clear Task Instances',
    description:
      "Clears task instances as Airflow does: back to no state with the try number kept (the next attempt is the next try) and the task's " +
      'retries available again; their XComs are deleted, a running attempt is stopped through its executor, and a finished run goes ' +
      'back to queued (reset_dag_runs). dry_run (the default) answers what would be cleared.',
    authorization: EDIT,
    body: clearBody,
    success: { status: 200, description: 'The task instances cleared (or that would be).', schema: taskInstanceCollectionSchema },
    errors: [400, 404, 409, 422],
    handle: clear,
  },
  ...TASK_INSTANCE_BATCH_ENDPOINTS,
  getOneEndpoint(false),
  patchEndpoint(false, false),
  patchEndpoint(false, true),
  triesEndpoint(false),
  tryDetailsEndpoint(false),
  ...LOG_ENDPOINTS,
  ...XCOM_ENDPOINTS,
  ...MAPPED_TASK_INSTANCE_ENDPOINTS,
  triesEndpoint(true),
  tryDetailsEndpoint(true),
  patchEndpoint(true, true),
  getOneEndpoint(true),
  patchEndpoint(true, false),
];

/** Tasks named only as `[task_id, map_index]` entries, with those indexes (a task also named whole is left out). */
function mapIndexesOf(taskIds: ReadonlyArray<string | readonly [string, number]>): Map<string, number[]> {
  const whole = new Set(taskIds.filter((id): id is string => typeof id === 'string'));
  const indexes = new Map<string, number[]>();
  for (const id of taskIds) {
    if (typeof id === 'string' || whole.has(id[0])) continue;
    indexes.set(id[0], [...(indexes.get(id[0]) ?? []), id[1]]);
  }
  return indexes;
}
