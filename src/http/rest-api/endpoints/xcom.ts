import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../../core/errors.ts';
import type { TaskInstanceKey } from '../../../core/model/keys.ts';
import type { DagRunRecord, XComRecord } from '../../../core/model/records.ts';
import { XComValues } from '../../../services/execution/xcom-values.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { serializeXCom, xcomCollectionSchema, xcomWithValueSchema } from '../serializers/xcom.ts';
import { ANY, booleanParam, getRunOr404, page, paginationParams, runsInScope, TaskLookup } from './task-instance-support.ts';

const XCOM_PATH = `${REST_API_PREFIX}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries`;
const TAG = 'XCom';

const listQuery = z.object({
  ...paginationParams,
  xcom_key: z.string().optional(),
  map_index: z.coerce.number().int().min(-1).optional(),
});

const entryQuery = z.object({
  map_index: z.coerce.number().int().min(-1).default(-1),
  deserialize: booleanParam.default(false),
  stringify: booleanParam.default(false),
  include_prior_dates: booleanParam.default(true),
});

const createBody = z.object({ key: z.string().min(1), value: z.unknown(), map_index: z.number().int().min(-1).default(-1) }).strict();
const updateBody = z.object({ value: z.unknown(), map_index: z.number().int().min(-1).default(-1) }).strict();

function values(request: EndpointRequest): XComValues {
  const { metastore, objectStore, clock, logger } = request.deps;
  return new XComValues({ metastore, objectStore, clock, logger });
}

/** The XCom with its value, wherever the value is stored (large ones live in the object store). */
async function withValue(request: EndpointRequest, record: XComRecord, run: DagRunRecord, stringify: boolean) {
  const value = record.objectKey === null ? record.value : await values(request).get(record, record.key);
  return { ...serializeXCom(record, run), value: stringify ? (value === null || value === undefined ? null : JSON.stringify(value)) : (value ?? null) };
}

async function listEntries(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const query = request.query as z.infer<typeof listQuery>;
  const runs = await runsInScope(request, params.dag_id!, params.dag_run_id!, 'XCOM');
  const entries: Array<{ record: XComRecord; run: DagRunRecord }> = [];
  for (const run of runs) {
    const tis = params.task_id === ANY ? await deps.metastore.listTaskInstances(run) : null;
    const keys: TaskInstanceKey[] = tis
      ? tis.map((ti) => ({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex }))
      : query.map_index !== undefined
        ? [{ dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: query.map_index }]
        : await mapIndexesOf(request, run, params.task_id!);
    for (const key of keys) {
      for (const record of await deps.metastore.listXComs(key)) entries.push({ record, run });
    }
  }
  const matching = entries
    .filter(({ record }) => (query.xcom_key === undefined || record.key === query.xcom_key) && (query.map_index === undefined || record.mapIndex === query.map_index))
    .sort((a, b) => order(a.record).localeCompare(order(b.record)));
  return c.json({ xcom_entries: page(matching, query).map(({ record, run }) => serializeXCom(record, run)), total_entries: matching.length }, 200);
}

/** Airflow orders XCom lists by dag, task, run, map index and key. */
const order = (r: XComRecord) => `${r.dagId}\u0000${r.taskId}\u0000${r.runId}\u0000${String(r.mapIndex + 1).padStart(8, '0')}\u0000${r.key}`;

async function mapIndexesOf(request: EndpointRequest, run: DagRunRecord, taskId: string): Promise<TaskInstanceKey[]> {
  const tis = await request.deps.metastore.listTaskInstances(run);
  const indexes = tis.filter((ti) => ti.taskId === taskId).map((ti) => ti.mapIndex);
  return (indexes.length > 0 ? indexes : [-1]).map((mapIndex) => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex }));
}

async function getEntry(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const query = request.query as z.infer<typeof entryQuery>;
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const key = { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: query.map_index };
  const record = await deps.metastore.getXCom(key, params.xcom_key!);
  if (!record) throw new NotFoundError(`XCom entry with key: \`${params.xcom_key}\` not found for task \`${key.taskId}\` in run \`${run.runId}\`.`);
  return c.json(await withValue(request, record, run, query.stringify), 200);
}

async function createEntry(request: EndpointRequest): Promise<Response> {
  const { params, deps } = request;
  const body = request.body as z.infer<typeof createBody>;
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  if (!(await new TaskLookup(deps.metastore).task(run, params.task_id!))) {
    throw new NotFoundError(`Task with ID: \`${params.task_id}\` not found in dag: \`${run.dagId}\`.`);
  }
  const key = { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: body.map_index };
  if (await deps.metastore.getXCom(key, body.key)) {
    throw new ConflictError(`The XCom with key: \`${body.key}\` with mentioned task instance already exists; PATCH it to change its value.`);
  }
  return storeAndAnswer(request, run, key, body.key, body.value, 201);
}

async function updateEntry(request: EndpointRequest): Promise<Response> {
  const { params, deps } = request;
  const body = request.body as z.infer<typeof updateBody>;
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const key = { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: body.map_index };
  if (!(await deps.metastore.getXCom(key, params.xcom_key!))) {
    throw new NotFoundError(`The XCom with key: \`${params.xcom_key}\` with mentioned task instance doesn't exist; POST it to create it.`);
  }
  return storeAndAnswer(request, run, key, params.xcom_key!, body.value, 200);
}

/** Stores the value (in the object store when it is large) and answers the XCom as now stored. */
async function storeAndAnswer(request: EndpointRequest, run: DagRunRecord, key: TaskInstanceKey, xcomKey: string, value: unknown, status: 200 | 201) {
  await values(request).put(key, xcomKey, value ?? null);
  const record = await request.deps.metastore.getXCom(key, xcomKey);
  return request.c.json(await withValue(request, record!, run, false), status);
}

export const XCOM_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_xcom_entries',
    method: 'get',
    path: XCOM_PATH,
    tag: TAG,
    summary: 'Get Xcom Entries',
    description: 'XComs of a task instance, without their values; `~` for dag_id, dag_run_id or task_id lists across them. Filters: xcom_key, map_index.',
    authorization: { kind: 'handler' },
    query: listQuery,
    success: { status: 200, description: 'The XComs.', schema: xcomCollectionSchema },
    errors: [400, 404, 422],
    handle: listEntries,
  },
  {
    operationId: 'get_xcom_entry',
    method: 'get',
    path: `${XCOM_PATH}/{xcom_key}`,
    tag: TAG,
    summary: 'Get Xcom Entry',
    description: 'One XCom with its JSON value (read from the object store when it is large); stringify=true answers the value as JSON text.',
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'XCOM', dagIdParam: 'dag_id' },
    query: entryQuery,
    success: { status: 200, description: 'The XCom.', schema: xcomWithValueSchema },
    errors: [400, 404, 422],
    handle: getEntry,
  },
  {
    operationId: 'create_xcom_entry',
    method: 'post',
    path: XCOM_PATH,
    tag: TAG,
    summary: 'Create Xcom Entry',
    description: 'Creates an XCom for a task of the run; 409 when one with that key exists.',
    authorization: { kind: 'dag', method: 'POST', accessEntity: 'XCOM', dagIdParam: 'dag_id' },
    body: createBody,
    success: { status: 201, description: 'The XCom created.', schema: xcomWithValueSchema },
    errors: [400, 404, 409, 422],
    handle: createEntry,
  },
  {
    operationId: 'update_xcom_entry',
    method: 'patch',
    path: `${XCOM_PATH}/{xcom_key}`,
    tag: TAG,
    summary: 'Update Xcom Entry',
    description: "Replaces an existing XCom's value.",
    authorization: { kind: 'dag', method: 'PUT', accessEntity: 'XCOM', dagIdParam: 'dag_id' },
    body: updateBody,
    success: { status: 200, description: 'The XCom updated.', schema: xcomWithValueSchema },
    errors: [400, 404, 422],
    handle: updateEntry,
  },
];
