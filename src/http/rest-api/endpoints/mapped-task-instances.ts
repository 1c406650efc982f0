import type { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { serializeTaskInstance, taskInstanceCollectionSchema } from '../serializers/task-instance.ts';
import { matchesListQuery, sortRows, taskInstanceListAnswer, taskInstanceListQuery, type TaskInstanceListQuery, type TaskInstanceRow } from './task-instance-list.ts';
import { getRunOr404, isMappedTask, page, TaskLookup } from './task-instance-support.ts';

/**
 * `get_mapped_task_instances` (`.../taskInstances/{task_id}/listMapped`): the mapped instances (map
 * index 0 and up) of one task in one run, with the filters, paging and ordering of `get_task_instances`.
 */

const listMappedQuery = taskInstanceListQuery.omit({ task_id: true });

async function listMapped(request: EndpointRequest): Promise<Response> {
  const { c, params, deps } = request;
  const query = request.query as z.infer<typeof listMappedQuery>;
  const taskId = params.task_id!;
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const task = await new TaskLookup(deps.metastore).task(run, taskId);
  const mapped = (await deps.metastore.listTaskInstances(run)).filter((ti) => ti.taskId === taskId && ti.mapIndex >= 0);
  // No instances may mean a mapped task not expanded yet, or expanded over an empty list: an empty page, not a 404.
  if (mapped.length === 0) {
    if (!task) {
      throw new NotFoundError(`Task id ${taskId} not found in DAG \`${run.dagId}\` (the version run \`${run.runId}\` uses). List its tasks with GET /api/v2/dags/${run.dagId}/tasks.`);
    }
    if (!isMappedTask(task)) {
      throw new NotFoundError(`Task id ${taskId} is not mapped: get its one instance with GET .../taskInstances/${taskId}.`);
    }
  }
  const rows: TaskInstanceRow[] = mapped.map((ti) => ({ ti, run, task }));
  const listQuery: TaskInstanceListQuery = { ...query, task_id: undefined };
  return c.json(taskInstanceListAnswer(rows, query, listQuery), 200);
}

export const MAPPED_TASK_INSTANCE_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_mapped_task_instances',
    method: 'get',
    path: `${REST_API_PREFIX}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/listMapped`,
    tag: 'Task Instance',
    summary: 'Get Mapped Task Instances',
    description:
      'The mapped instances (map_index 0 and up) of a task in a run. Empty for a mapped task not expanded yet or expanded ' +
      'over an empty list; 404 for a task the DAG does not have, or one that is not mapped. Filters, paging and order_by ' +
      '(default map_index) as get_task_instances.',
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'TASK_INSTANCE', dagIdParam: 'dag_id' },
    query: listMappedQuery,
    success: { status: 200, description: 'The mapped task instances.', schema: taskInstanceCollectionSchema },
    errors: [400, 404, 422],
    handle: listMapped,
  },
];
