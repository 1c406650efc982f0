import { z } from 'zod';
import { ValidationError } from '../../../core/errors.ts';
import { DEFAULT_BACKFILL_MAX_ACTIVE_RUNS, REPROCESS_BEHAVIORS, type BackfillRecord } from '../../../core/ports/backfill-store.ts';
import type { ResourceMethod } from '../../../services/auth/auth-manager.ts';
import type { BackfillRequest } from '../../../services/backfill/backfill-planner.ts';
import { BackfillService } from '../../../services/backfill/backfill-service.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { pageQueryShape, sortAndPage, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import {
  backfillCollectionSchema,
  backfillResponseSchema,
  dryRunBackfillCollectionSchema,
  serializeBackfill,
} from '../serializers/backfill.ts';

const PATH = `${REST_API_PREFIX}/backfills`;
const ITEM_PATH = `${PATH}/{backfill_id}`;
const TAG = 'Backfill';

/** Instants with an offset; a naive one is read as UTC, as Airflow's `timezone.coerce_datetime` does. */
const instant = z.iso.datetime({ offset: true, local: true }).transform((value) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`));

/** Airflow's BackfillPostBody (strict: unknown fields are a 422). */
const backfillPostBody = z.strictObject({
  dag_id: z.string().min(1),
  from_date: instant,
  to_date: instant,
  run_backwards: z.boolean().default(false),
  dag_run_conf: z.record(z.string(), z.unknown()).nullable().optional(),
  reprocess_behavior: z.enum(REPROCESS_BEHAVIORS).default('none'),
  max_active_runs: z.number().int().min(1, 'max_active_runs must be at least 1').default(DEFAULT_BACKFILL_MAX_ACTIVE_RUNS),
  /** Accepted for Airflow clients; new runs always use the DAG's latest version (docs/rest-api.md). */
  run_on_latest_version: z.boolean().nullable().optional(),
});
type BackfillPostBody = z.infer<typeof backfillPostBody>;

const SORT_FIELDS: SortFields<BackfillRecord> = {
  id: (b) => b.id,
  dag_id: (b) => b.dagId,
  created_at: (b) => b.createdAt,
  completed_at: (b) => b.completedAt,
};

function serviceOf({ deps }: EndpointRequest): BackfillService {
  if (!deps.backfills) {
    throw new RestApiHttpError(503, 'Backfills are not available: this REST API was started without a backfill store. Wire `backfills` into the app.');
  }
  return new BackfillService({ ...deps, backfills: deps.backfills });
}

/** Airflow checks the backfill's DAG as its runs (`DagAccessEntity.RUN`), beside the backfill permission. */
async function requireDagRunAccess(request: EndpointRequest, method: ResourceMethod, dagId: string): Promise<void> {
  const user = request.user!;
  if (!(await request.authManager.isAuthorizedDag({ method, user, accessEntity: 'RUN', dagId }))) {
    throw new RestApiHttpError(403, `Forbidden: user "${user.name}" may not ${method} on RUN of DAG "${dagId}".`);
  }
}

/** `{backfill_id}` is a non-negative integer; anything else is FastAPI's path-parameter 422. */
function backfillIdOf(request: EndpointRequest): number | Response {
  const raw = request.params.backfill_id ?? '';
  if (/^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  return request.c.json(
    {
      detail: [
        { type: 'int_parsing', loc: ['path', 'backfill_id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw },
      ],
    },
    422,
  );
}

/** The backfill named in the path, after checking its DAG's run access; a Response for a bad id. */
async function backfillOf(request: EndpointRequest, method: ResourceMethod): Promise<{ service: BackfillService; backfill: BackfillRecord } | Response> {
  const id = backfillIdOf(request);
  if (id instanceof Response) return id;
  const service = serviceOf(request);
  const backfill = await service.get(id);
  await requireDagRunAccess(request, method, backfill.dagId);
  return { service, backfill };
}

function requestOf(body: BackfillPostBody, userName: string | null): BackfillRequest {
  return {
    dagId: body.dag_id,
    fromDate: body.from_date,
    toDate: body.to_date,
    runBackwards: body.run_backwards,
    dagRunConf: body.dag_run_conf ?? null,
    reprocessBehavior: body.reprocess_behavior,
    maxActiveRuns: body.max_active_runs,
    triggeringUserName: userName,
  };
}

/** What Airflow raises as RequestValidationError (a range in the future, a non-periodic DAG...) is a 422. */
async function asUnprocessable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw new RestApiHttpError(422, error.message);
    throw error;
  }
}

const pathErrors: Endpoint['errors'] = [404, 409, 422];

export const BACKFILL_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'list_backfills',
    method: 'get',
    path: PATH,
    tag: TAG,
    summary: 'List Backfills',
    description: "A DAG's backfills, completed ones included, ordered by id (`order_by`: id, dag_id, created_at, completed_at).",
    authorization: { kind: 'backfill', method: 'GET' },
    query: z.object({ dag_id: z.string(), ...pageQueryShape }),
    success: { status: 200, description: 'A page of backfills.', schema: backfillCollectionSchema },
    errors: [400, 422],
    handle: async (request) => {
      const dagId = request.query.dag_id as string;
      await requireDagRunAccess(request, 'GET', dagId);
      const all = await serviceOf(request).list(dagId);
      const { page, total } = sortAndPage(all, request.query as unknown as PageQuery, SORT_FIELDS, 'id');
      return request.c.json({ backfills: page.map(serializeBackfill), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_backfill',
    method: 'get',
    path: ITEM_PATH,
    tag: TAG,
    summary: 'Get Backfill',
    description: 'One backfill.',
    authorization: { kind: 'backfill', method: 'GET', idParam: 'backfill_id' },
    success: { status: 200, description: 'The backfill.', schema: backfillResponseSchema },
    errors: [404, 422],
    handle: async (request) => {
      const found = await backfillOf(request, 'GET');
      if (found instanceof Response) return found;
      return request.c.json(serializeBackfill(found.backfill), 200);
    },
  },
  {
    operationId: 'create_backfill',
    method: 'post',
    path: PATH,
    tag: TAG,
    summary: 'Create Backfill',
    description:
      "Creates a backfill: a run of type `backfill` for every logical date of the DAG's schedule in [from_date, to_date] whose " +
      'data interval has ended, re-running existing runs as `reprocess_behavior` says. The scheduler starts at most ' +
      '`max_active_runs` of them at once, apart from the DAG\'s own limit. A DAG has one backfill at a time (409).',
    authorization: { kind: 'backfill', method: 'POST' },
    body: backfillPostBody,
    success: { status: 200, description: 'The backfill created.', schema: backfillResponseSchema },
    errors: [400, 404, 409, 422],
    handle: async (request) => {
      const body = request.body as BackfillPostBody;
      await requireDagRunAccess(request, 'POST', body.dag_id);
      const service = serviceOf(request);
      const backfill = await asUnprocessable(() => service.create(requestOf(body, request.user?.name ?? null)));
      return request.c.json(serializeBackfill(backfill), 200);
    },
  },
  {
    operationId: 'create_backfill_dry_run',
    method: 'post',
    path: `${PATH}/dry_run`,
    tag: TAG,
    summary: 'Create Backfill Dry Run',
    description: 'The logical dates a backfill with this body would create or re-run, in the order they would start. Creates nothing.',
    authorization: { kind: 'backfill', method: 'POST' },
    body: backfillPostBody,
    success: { status: 200, description: 'The runs the backfill would create.', schema: dryRunBackfillCollectionSchema },
    errors: [404, 409, 422],
    handle: async (request) => {
      const body = request.body as BackfillPostBody;
      await requireDagRunAccess(request, 'POST', body.dag_id);
      const service = serviceOf(request);
      const entries = await asUnprocessable(() => service.dryRun(requestOf(body, request.user?.name ?? null)));
      const backfills = entries.map((entry) => ({ logical_date: entry.logicalDate.toISOString(), partition_key: null, partition_date: null }));
      return request.c.json({ backfills, total_entries: backfills.length }, 200);
    },
  },
  ...(['pause', 'unpause'] as const).map(
    (action): Endpoint => ({
      operationId: `${action}_backfill`,
      method: 'put',
      path: `${ITEM_PATH}/${action}`,
      tag: TAG,
      summary: `${action === 'pause' ? 'Pause' : 'Unpause'} Backfill`,
      description:
        action === 'pause'
          ? 'Stops the scheduler from starting more runs of the backfill; runs already running go on. 409 when it has completed.'
          : 'Lets the scheduler start the backfill\'s queued runs again. 409 when it has completed.',
      authorization: { kind: 'backfill', method: 'PUT', idParam: 'backfill_id' },
      success: { status: 200, description: 'The backfill as it is now.', schema: backfillResponseSchema },
      errors: pathErrors,
      handle: async (request) => {
        const found = await backfillOf(request, 'PUT');
        if (found instanceof Response) return found;
        const backfill = await found.service.setPaused(found.backfill.id, action === 'pause');
        return request.c.json(serializeBackfill(backfill), 200);
      },
    }),
  ),
  {
    operationId: 'cancel_backfill',
    method: 'put',
    path: `${ITEM_PATH}/cancel`,
    tag: TAG,
    summary: 'Cancel Backfill',
    description:
      'Pauses the backfill, fails its runs that are still queued, and marks it completed; runs already running finish on their own. ' +
      '409 when it has completed.',
    authorization: { kind: 'backfill', method: 'PUT', idParam: 'backfill_id' },
    success: { status: 200, description: 'The backfill, completed.', schema: backfillResponseSchema },
    errors: pathErrors,
    handle: async (request) => {
      const found = await backfillOf(request, 'PUT');
      if (found instanceof Response) return found;
      return request.c.json(serializeBackfill(await found.service.cancel(found.backfill.id)), 200);
    },
  },
];
