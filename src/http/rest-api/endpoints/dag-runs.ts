import { z } from 'zod';
import type { DagRunRecord, DagVersionRecord } from '../../../core/model/records.ts';
import { DAG_RUN_STATES, DAG_RUN_TYPES } from '../../../core/model/states.ts';
import type { DagRunSearch, DagRunWithNote, InstantRange } from '../../../core/ports/metastore.ts';
import { TaskInstanceClearer } from '../../../services/clearing/index.ts';
import { setDagRunState } from '../../../services/dag-runs/set-dag-run-state.ts';
import { authorize } from '../authorization.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { pageQueryShape, sortAndPage, updateMask, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { dagRunCollectionSchema, dagRunDurationSeconds, dagRunSchema, serializeDagRun } from '../serializers/dag-run.ts';
import { serializeTaskInstance, taskInstanceCollectionSchema } from '../serializers/task-instance.ts';
import { withoutMappedPlaceholders } from './task-instance-support.ts';
import { TRIGGER_DAG_RUN_ENDPOINT } from './dag-run-trigger.ts';
import { authorizedDags, dagRunNotFound, dagVersionOrNull, requireDag, requireDagRun } from './dag-lookup.ts';

const PATH = `${REST_API_PREFIX}/dags/{dag_id}/dagRuns`;
const ITEM_PATH = `${PATH}/{dag_run_id}`;
/** `~` as the DAG id lists the runs of every DAG the caller may read, as in Airflow. */
const ALL_DAGS = '~';

const repeatedEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.enum(values), z.array(z.enum(values))])
    .optional()
    .transform((value) => (value === undefined ? undefined : [value].flat()));

const instant = z.iso.datetime({ offset: true }).optional();
const rangeShape = (name: string) => ({ [`${name}_gte`]: instant, [`${name}_lte`]: instant });

const listQuery = z.object({
  ...pageQueryShape,
  state: repeatedEnum(DAG_RUN_STATES),
  run_type: repeatedEnum(DAG_RUN_TYPES),
  ...rangeShape('logical_date'),
  ...rangeShape('start_date'),
  ...rangeShape('end_date'),
  ...rangeShape('run_after'),
});

function range(query: Record<string, unknown>, name: string): InstantRange | undefined {
  const gte = query[`${name}_gte`] as string | undefined;
  const lte = query[`${name}_lte`] as string | undefined;
  if (gte === undefined && lte === undefined) return undefined;
  return { gte: gte ? new Date(gte) : undefined, lte: lte ? new Date(lte) : undefined };
}

function searchOf(query: Record<string, unknown>): DagRunSearch {
  return {
    states: query.state as DagRunSearch['states'],
    runTypes: query.run_type as DagRunSearch['runTypes'],
    logicalDate: range(query, 'logical_date'),
    startDate: range(query, 'start_date'),
    endDate: range(query, 'end_date'),
    runAfter: range(query, 'run_after'),
  };
}

const SORT_FIELDS: SortFields<DagRunWithNote> = {
  // Airflow's `id` is creation order; a run is created queued, so queued_at stands in (logical date breaks ties).
  id: ({ run }) => `${run.queuedAt.toISOString()}#${run.logicalDate.toISOString()}#${run.runId}`,
  state: ({ run }) => run.state,
  dag_id: ({ run }) => run.dagId,
  run_id: ({ run }) => run.runId,
  dag_run_id: ({ run }) => run.runId,
  logical_date: ({ run }) => run.logicalDate,
  run_after: ({ run }) => run.runAfter,
  start_date: ({ run }) => run.startDate,
  end_date: ({ run }) => run.endDate,
  queued_at: ({ run }) => run.queuedAt,
  duration: ({ run }) => dagRunDurationSeconds(run),
};

/** The run with its version for `dag_versions` (read through the immutable-version cache). */
async function runJson(deps: EndpointRequest['deps'], entry: DagRunWithNote) {
  const version: DagVersionRecord | null = await dagVersionOrNull(deps, entry.run.dagId, entry.run.versionId);
  return serializeDagRun(entry.run, entry.note, version);
}

async function requireRunWithNote(deps: EndpointRequest['deps'], dagId: string, runId: string): Promise<DagRunWithNote> {
  const entry = await deps.metastore.getDagRunWithNote({ dagId, runId });
  if (!entry) throw dagRunNotFound(dagId, runId);
  return entry;
}

const patchBody = z.strictObject({
  state: z.enum(['queued', 'success', 'failed']).nullable().optional(),
  note: z.string().max(1000).nullable().optional(),
});

const clearBody = z.strictObject({
  dry_run: z.boolean().default(true),
  only_failed: z.boolean().default(false),
  /** Accepted for Airflow clients; a cleared run keeps its version in Updraft. */
  run_on_latest_version: z.boolean().default(false),
});

export const DAG_RUN_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_dag_runs',
    method: 'get',
    path: PATH,
    tag: 'DagRun',
    summary: 'Get Dag Runs',
    description:
      'A DAG\'s runs, paged; `~` as dag_id lists the runs of every DAG the caller may read. Filters: `state` and `run_type` ' +
      '(repeatable), `logical_date_gte/lte`, `start_date_gte/lte`, `end_date_gte/lte`, `run_after_gte/lte`. `order_by` ' +
      '(default `id`, creation order): state, dag_id, run_id, logical_date, run_after, start_date, end_date, duration.',
    authorization: { kind: 'handler' },
    query: listQuery,
    success: { status: 200, description: 'A page of runs.', schema: dagRunCollectionSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, params, query, user, authManager }) => {
      const dagId = params.dag_id!;
      const all = dagId === ALL_DAGS;
      await authorize({ kind: 'dag', method: 'GET', accessEntity: 'RUN', dagIdParam: all ? undefined : 'dag_id' }, user!, params, authManager);
      const search = searchOf(query);
      let dagIds: string[];
      if (all) dagIds = (await authorizedDags(authManager, user!, 'GET', await deps.metastore.listDags())).map((dag) => dag.dagId);
      else dagIds = [(await requireDag(deps, dagId)).dagId];
      // One query per DAG (each DAG's runs are one partition); merged, sorted and paged here.
      const runs = (await Promise.all(dagIds.map((id) => deps.metastore.searchDagRuns(id, search)))).flat();
      const { page, total } = sortAndPage(runs, query as unknown as PageQuery, SORT_FIELDS, 'id');
      return c.json({ dag_runs: await Promise.all(page.map((entry) => runJson(deps, entry))), total_entries: total }, 200);
    },
  },
  TRIGGER_DAG_RUN_ENDPOINT,
  {
    operationId: 'get_dag_run',
    method: 'get',
    path: ITEM_PATH,
    tag: 'DagRun',
    summary: 'Get Dag Run',
    description: 'One run.',
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'RUN', dagIdParam: 'dag_id' },
    success: { status: 200, description: 'The run.', schema: dagRunSchema },
    errors: [404],
    handle: async ({ c, deps, params }) => c.json(await runJson(deps, await requireRunWithNote(deps, params.dag_id!, params.dag_run_id!)), 200),
  },
  {
    operationId: 'patch_dag_run',
    method: 'patch',
    path: ITEM_PATH,
    tag: 'DagRun',
    summary: 'Patch Dag Run',
    description:
      'Sets a run\'s `state` (queued, success or failed) and/or its `note`. As Airflow: success marks every unfinished ' +
      'task instance success; failed marks running ones failed and skips those that have not run; queued changes only ' +
      'the run. `update_mask` limits which given fields apply.',
    authorization: { kind: 'dag', method: 'PUT', accessEntity: 'RUN', dagIdParam: 'dag_id' },
    query: z.object({ update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: patchBody,
    success: { status: 200, description: 'The run as it is now.', schema: dagRunSchema },
    errors: [400, 404],
    handle: async ({ c, deps, params, query, body }) => {
      const run = await requireDagRun(deps, params.dag_id!, params.dag_run_id!);
      const patch = body as z.infer<typeof patchBody>;
      const mask = updateMask(query.update_mask as string | string[] | undefined);
      const applies = (field: 'state' | 'note') => Object.hasOwn(patch, field) && (!mask || mask.includes(field));
      if (applies('state') && patch.state) await setDagRunState(deps, run, patch.state);
      if (applies('note')) await deps.metastore.setDagRunNote(run, patch.note ?? null);
      return c.json(await runJson(deps, await requireRunWithNote(deps, run.dagId, run.runId)), 200);
    },
  },
  {
    operationId: 'clear_dag_run',
    method: 'post',
    path: `${ITEM_PATH}/clear`,
    tag: 'DagRun',
    summary: 'Clear Dag Run',
    description:
      'Clears the run\'s task instances (all, or with `only_failed` the failed and upstream-failed ones) so they run again, ' +
      'and puts a finished run back to queued. `dry_run` defaults to true, as in Airflow: it answers the task instances ' +
      'that would be cleared and changes nothing; with `dry_run: false` the answer is the run.',
    authorization: { kind: 'dag', method: 'PUT', accessEntity: 'RUN', dagIdParam: 'dag_id' },
    body: clearBody,
    success: {
      status: 200,
      description: 'Dry run: the task instances that would be cleared. Otherwise: the run.',
      schema: z.union([taskInstanceCollectionSchema, dagRunSchema]),
    },
    errors: [404],
    handle: async ({ c, deps, params, body }) => {
      const run = await requireDagRun(deps, params.dag_id!, params.dag_run_id!);
      const request = body as z.infer<typeof clearBody>;
      const tis = await new TaskInstanceClearer(deps).clear({
        runs: [run],
        selection: { taskIds: null, onlyFailed: request.only_failed, onlyRunning: false, includeUpstream: false, includeDownstream: false },
        dryRun: request.dry_run,
        resetDagRuns: true,
      });
      if (request.dry_run) {
        const version = await dagVersionOrNull(deps, run.dagId, run.versionId);
        const tasks = new Map(version?.serialized.tasks.map((task) => [task.taskId, task]) ?? []);
        const instances = withoutMappedPlaceholders(tis).map((ti) => serializeTaskInstance(ti, run, tasks.get(ti.taskId)));
        return c.json({ task_instances: instances, total_entries: instances.length }, 200);
      }
      return c.json(await runJson(deps, await requireRunWithNote(deps, run.dagId, run.runId)), 200);
    },
  },
  {
    operationId: 'delete_dag_run',
    method: 'delete',
    path: ITEM_PATH,
    tag: 'DagRun',
    summary: 'Delete Dag Run',
    description: 'Deletes the run with its task instances and XComs (logs in S3 stay).',
    authorization: { kind: 'dag', method: 'DELETE', accessEntity: 'RUN', dagIdParam: 'dag_id' },
    success: { status: 204, description: 'Deleted.' },
    errors: [400, 404],
    handle: async ({ c, deps, params }) => {
      const key: Pick<DagRunRecord, 'dagId' | 'runId'> = { dagId: params.dag_id!, runId: params.dag_run_id! };
      if (!(await deps.metastore.deleteDagRun(key))) throw dagRunNotFound(key.dagId, key.runId);
      deps.logger.info('DAG run deleted', { dag_id: key.dagId, run_id: key.runId });
      return c.body(null, 204);
    },
  },
];
