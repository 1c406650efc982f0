import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import type { DagRecord } from '../../../core/model/records.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { matchesPattern, pageQueryShape, sortAndPage, updateMask, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { dagCollectionSchema, dagDetailsSchema, dagSchema, serializeDag, serializeDagDetails } from '../serializers/dag.ts';
import { authorizedDags, dagVersionOrNull, filesWithImportErrors, requireDag } from './dag-lookup.ts';

const PATH = `${REST_API_PREFIX}/dags`;
const ITEM_PATH = `${PATH}/{dag_id}`;

const repeated = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? undefined : [value].flat().flatMap((entry) => entry.split(',')).filter((entry) => entry !== '')));

/** The filters get_dags and patch_dags share, under Airflow's query parameter names. */
const dagFilterShape = {
  tags: repeated,
  tags_match_mode: z.enum(['any', 'all']).optional(),
  owners: repeated,
  dag_id_pattern: z.string().optional(),
  dag_display_name_pattern: z.string().optional(),
  exclude_stale: z.stringbool().default(true),
  /** Airflow 3.0's name for exclude_stale. */
  only_active: z.stringbool().optional(),
  paused: z.stringbool().optional(),
};

interface DagFilters {
  tags?: string[];
  tags_match_mode?: 'any' | 'all';
  owners?: string[];
  dag_id_pattern?: string;
  dag_display_name_pattern?: string;
  exclude_stale: boolean;
  only_active?: boolean;
  paused?: boolean;
  has_import_errors?: boolean;
}

const SORT_FIELDS: SortFields<DagRecord> = {
  dag_id: (dag) => dag.dagId,
  dag_display_name: (dag) => dag.dagId,
  next_dagrun: (dag) => dag.nextDagRunCreateAfter,
  last_parsed_time: (dag) => dag.lastParsedAt,
  is_paused: (dag) => dag.isPaused,
};

/** `~` and `%` match every DAG, as Airflow's patch_dags documents. */
const matchesDagPattern = (value: string, pattern: string | undefined) => pattern === '~' || matchesPattern(value, pattern);

function filterDags(dags: readonly DagRecord[], filters: DagFilters, importErrors: ReadonlySet<string>): DagRecord[] {
  const excludeStale = filters.only_active ?? filters.exclude_stale;
  return dags.filter((dag) => {
    if (excludeStale && !dag.isActive) return false;
    if (filters.paused !== undefined && dag.isPaused !== filters.paused) return false;
    if (filters.has_import_errors !== undefined && importErrors.has(dag.fileloc) !== filters.has_import_errors) return false;
    if (!matchesDagPattern(dag.dagId, filters.dag_id_pattern) || !matchesDagPattern(dag.dagId, filters.dag_display_name_pattern)) return false;
    // Updraft DAGs have no owners, so an owners filter keeps none.
    if (filters.owners && filters.owners.length > 0) return false;
    if (filters.tags && filters.tags.length > 0) {
      const has = (tag: string) => dag.tags.includes(tag);
      if (filters.tags_match_mode === 'all' ? !filters.tags.every(has) : !filters.tags.some(has)) return false;
    }
    return true;
  });
}

async function serializePage({ deps }: EndpointRequest, page: readonly DagRecord[], importErrors: ReadonlySet<string>) {
  const now = deps.clock.now();
  return Promise.all(
    page.map(async (dag) => serializeDag(dag, await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId), importErrors.has(dag.fileloc), now)),
  );
}

function checkUpdateMask(raw: unknown): void {
  const mask = updateMask(raw as string | string[] | undefined);
  if (mask && (mask.length !== 1 || mask[0] !== 'is_paused')) {
    throw new ValidationError('Only `is_paused` field can be updated through the REST API. Send update_mask=is_paused or leave it out.', 'update_mask');
  }
}

const patchBody = z.strictObject({ is_paused: z.boolean() });

export const DAG_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_dags',
    method: 'get',
    path: PATH,
    tag: 'DAG',
    summary: 'Get Dags',
    description:
      'The DAGs the caller may read, paged. Filters: `tags` (repeatable; `tags_match_mode` any or all), `dag_id_pattern` ' +
      '(contains, case-insensitive, `%` and `_` wildcards), `paused`, `exclude_stale` (default true; `only_active` is ' +
      "Airflow 3.0's name), `has_import_errors`. `order_by`: dag_id, dag_display_name, next_dagrun, last_parsed_time, is_paused.",
    authorization: { kind: 'dag', method: 'GET' },
    query: z.object({ ...pageQueryShape, ...dagFilterShape, has_import_errors: z.stringbool().optional() }),
    success: { status: 200, description: 'A page of DAGs.', schema: dagCollectionSchema },
    errors: [400],
    handle: async (request) => {
      const { c, deps, query, user, authManager } = request;
      const importErrors = await filesWithImportErrors(deps);
      const readable = await authorizedDags(authManager, user!, 'GET', await deps.metastore.listDags());
      const filtered = filterDags(readable, query as unknown as DagFilters, importErrors);
      const { page, total } = sortAndPage(filtered, query as unknown as PageQuery, SORT_FIELDS, 'dag_id');
      return c.json({ dags: await serializePage(request, page, importErrors), total_entries: total }, 200);
    },
  },
  {
    operationId: 'patch_dags',
    method: 'patch',
    path: PATH,
    tag: 'DAG',
    summary: 'Patch Dags',
    description:
      'Pauses or unpauses every DAG the filters match and the caller may edit, and answers the matched page. As in Airflow, ' +
      'without `dag_id_pattern` no DAG matches: pass `~` (or `%`) to match all.',
    authorization: { kind: 'dag', method: 'PUT' },
    query: z.object({ ...pageQueryShape, ...dagFilterShape, update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: patchBody,
    success: { status: 200, description: 'The matched DAGs, as they are now.', schema: dagCollectionSchema },
    errors: [400, 404],
    handle: async (request) => {
      const { c, deps, query, user, authManager, body } = request;
      checkUpdateMask(query.update_mask);
      const filters = query as unknown as DagFilters;
      const importErrors = await filesWithImportErrors(deps);
      const editable = await authorizedDags(authManager, user!, 'PUT', await deps.metastore.listDags());
      const matched = filters.dag_id_pattern === undefined ? [] : filterDags(editable, filters, importErrors);
      const { is_paused } = body as z.infer<typeof patchBody>;
      const updated = await Promise.all(matched.map((dag) => (dag.isPaused === is_paused ? dag : deps.metastore.setDagPaused(dag.dagId, is_paused))));
      const { page, total } = sortAndPage(updated, query as unknown as PageQuery, SORT_FIELDS, 'dag_id');
      return c.json({ dags: await serializePage(request, page, importErrors), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_dag',
    method: 'get',
    path: ITEM_PATH,
    tag: 'DAG',
    summary: 'Get Dag',
    description: 'Basic information about a DAG.',
    authorization: { kind: 'dag', method: 'GET', dagIdParam: 'dag_id' },
    success: { status: 200, description: 'The DAG.', schema: dagSchema },
    errors: [400, 404, 422],
    handle: async ({ c, deps, params }) => {
      const dag = await requireDag(deps, params.dag_id!);
      const version = await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId);
      return c.json(serializeDag(dag, version, (await filesWithImportErrors(deps)).has(dag.fileloc), deps.clock.now()), 200);
    },
  },
  {
    operationId: 'get_dag_details',
    method: 'get',
    path: `${ITEM_PATH}/details`,
    tag: 'DAG',
    summary: 'Get Dag Details',
    description: 'A DAG with the details of its latest version: params, catchup, start and end dates, timezone, active run count.',
    authorization: { kind: 'dag', method: 'GET', dagIdParam: 'dag_id' },
    success: { status: 200, description: 'The DAG with details.', schema: dagDetailsSchema },
    errors: [400, 404],
    handle: async ({ c, deps, params }) => {
      const dag = await requireDag(deps, params.dag_id!);
      const version = await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId);
      const active = await deps.metastore.listDagRuns(dag.dagId, { states: ['queued', 'running'] });
      return c.json(
        serializeDagDetails(dag, version, {
          hasImportErrors: (await filesWithImportErrors(deps)).has(dag.fileloc),
          activeRunsCount: active.length,
          now: deps.clock.now(),
        }),
        200,
      );
    },
  },
  {
    operationId: 'patch_dag',
    method: 'patch',
    path: ITEM_PATH,
    tag: 'DAG',
    summary: 'Patch Dag',
    description: 'Pauses or unpauses a DAG: body `{"is_paused": true}`. `update_mask` may only name `is_paused`.',
    authorization: { kind: 'dag', method: 'PUT', dagIdParam: 'dag_id' },
    query: z.object({ update_mask: z.union([z.string(), z.array(z.string())]).optional() }),
    body: patchBody,
    success: { status: 200, description: 'The DAG as it is now.', schema: dagSchema },
    errors: [400, 404],
    handle: async ({ c, deps, params, query, body }) => {
      checkUpdateMask(query.update_mask);
      const dagId = params.dag_id!;
      let dag: DagRecord;
      try {
        dag = await deps.metastore.setDagPaused(dagId, (body as z.infer<typeof patchBody>).is_paused);
      } catch (error) {
        if (error instanceof NotFoundError) await requireDag(deps, dagId);
        throw error;
      }
      const version = await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId);
      return c.json(serializeDag(dag, version, (await filesWithImportErrors(deps)).has(dag.fileloc), deps.clock.now()), 200);
    },
  },
  {
    operationId: 'delete_dag',
    method: 'delete',
    path: ITEM_PATH,
    tag: 'DAG',
    summary: 'Delete Dag',
    description:
      'Deletes the DAG with its runs, task instances, XComs and versions (logs in S3 stay). Refused (409) while a task ' +
      'instance runs. The DAG file stays in the bucket: its next parse records the DAG again, without history.',
    authorization: { kind: 'dag', method: 'DELETE', dagIdParam: 'dag_id' },
    success: { status: 204, description: 'Deleted.' },
    errors: [400, 404, 409, 422],
    handle: async ({ c, deps, params }) => {
      const dag = await requireDag(deps, params.dag_id!);
      for (const run of await deps.metastore.listDagRuns(dag.dagId, { states: ['queued', 'running'] })) {
        const running = (await deps.metastore.listTaskInstances(run)).find((ti) => ti.state === 'running');
        if (running) {
          throw new ConflictError(
            `Task instances of dag with id: '${dag.dagId}' are still running (${running.taskId} in run ${run.runId}). ` +
              'Wait for them to finish, or mark the run failed (PATCH its dagRun with {"state": "failed"}), then delete again.',
            null,
          );
        }
      }
      await deps.metastore.deleteDag(dag.dagId);
      deps.logger.info('DAG deleted', { dag_id: dag.dagId });
      return c.body(null, 204);
    },
  },
];
