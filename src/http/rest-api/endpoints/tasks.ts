import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import type { SerializedDag } from '../../../core/model/serialized-dag.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { downstreamIndex, serializeTask, taskCollectionSchema, taskSchema, type TaskJson } from '../serializers/task.ts';
import { dagVersionOrNull, requireDag } from './dag-lookup.ts';

const PATH = `${REST_API_PREFIX}/dags/{dag_id}/tasks`;

/** The fields `order_by` accepts: those of TaskResponse with a single comparable value. */
const SORTABLE_FIELDS = [
  'task_id',
  'task_display_name',
  'owner',
  'start_date',
  'end_date',
  'trigger_rule',
  'depends_on_past',
  'wait_for_downstream',
  'retries',
  'queue',
  'pool',
  'pool_slots',
  'retry_exponential_backoff',
  'priority_weight',
  'weight_rule',
  'operator_name',
  'is_mapped',
] as const satisfies ReadonlyArray<keyof TaskJson>;

type SortableField = (typeof SORTABLE_FIELDS)[number];

/** The DAG's latest version, as Airflow's get_latest_version_of_dag reads it. */
async function latestSerializedDag({ deps, params }: EndpointRequest): Promise<SerializedDag> {
  const dag = await requireDag(deps, params.dag_id!);
  const version = await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId);
  if (!version) {
    throw new NotFoundError(
      `The latest version of Dag ${dag.dagId} (${dag.latestVersionId}) is missing from the metastore. ` +
        'Re-upload its file to dags/ so the DAG processor stores it again.',
    );
  }
  return version.serialized;
}

function compare(a: unknown, b: unknown): number {
  // Nulls last ascending, as the other lists sort them.
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) - Number(b);
}

/** Airflow's get_tasks sorts by one attribute, `-` for descending; task_id breaks ties. */
function sortTasks(tasks: TaskJson[], orderBy: string): TaskJson[] {
  const descending = orderBy.startsWith('-');
  const field = (descending ? orderBy.slice(1) : orderBy).trim();
  if (!(SORTABLE_FIELDS as readonly string[]).includes(field)) {
    throw new ValidationError(
      `Ordering with '${field}' is disallowed or the attribute does not exist on the task. Use one of: ${SORTABLE_FIELDS.join(', ')} ` +
        '(prefix with "-" for descending order).',
      'order_by',
    );
  }
  const sign = descending ? -1 : 1;
  return [...tasks].sort((a, b) => sign * compare(a[field as SortableField], b[field as SortableField]) || compare(a.task_id, b.task_id));
}

export const TASK_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_tasks',
    method: 'get',
    path: PATH,
    tag: 'Task',
    summary: 'Get Tasks',
    description:
      "The tasks of the DAG's latest version. As in Airflow the list is not paged. `order_by`: one field of the task " +
      `(${SORTABLE_FIELDS.join(', ')}), "-" for descending; default task_id.`,
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'TASK', dagIdParam: 'dag_id' },
    query: z.object({ order_by: z.string().default('task_id') }),
    success: { status: 200, description: 'The tasks.', schema: taskCollectionSchema },
    errors: [400, 404],
    handle: async (request) => {
      const dag = await latestSerializedDag(request);
      const downstream = downstreamIndex(dag);
      const tasks = sortTasks(
        dag.tasks.map((task) => serializeTask(dag, task, downstream)),
        request.query.order_by as string,
      );
      return request.c.json({ tasks, total_entries: tasks.length }, 200);
    },
  },
  {
    operationId: 'get_task',
    method: 'get',
    path: `${PATH}/{task_id}`,
    tag: 'Task',
    summary: 'Get Task',
    description: "One task of the DAG's latest version.",
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'TASK', dagIdParam: 'dag_id' },
    success: { status: 200, description: 'The task.', schema: taskSchema },
    errors: [400, 404],
    handle: async (request) => {
      const dag = await latestSerializedDag(request);
      const taskId = request.params.task_id!;
      const task = dag.tasks.find((candidate) => candidate.taskId === taskId);
      if (!task) {
        throw new NotFoundError(
          `Task with id ${taskId} was not found in Dag ${dag.dagId}. Its tasks: ${dag.tasks.map((t) => t.taskId).join(', ') || 'none'} ` +
            `(GET /api/v2/dags/${dag.dagId}/tasks lists them).`,
        );
      }
      return request.c.json(serializeTask(dag, task, downstreamIndex(dag)), 200);
    },
  },
];
