import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../../core/model/records.ts';
import type { SerializedTask } from '../../../core/model/serialized-dag.ts';
import { TASK_INSTANCE_STATES, type TaskInstanceState } from '../../../core/model/states.ts';
import type { Metastore } from '../../../core/ports/metastore.ts';
import type { DagAccessEntity } from '../../../services/auth/auth-manager.ts';
import type { EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';

/** What task instance, log and XCom endpoints share: finding runs and instances, query parameters, access. */

/** Airflow's `~`: "every DAG" or "every run" in list paths. */
export const ANY = '~';

/** Airflow's default `limit` and `[api] maximum_page_limit`: a larger limit is lowered to it. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAXIMUM_PAGE_LIMIT = 100;

/** A parameter that may be repeated (`?state=failed&state=success`) arrives as a string or an array. */
export function repeated<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), item])
    .transform((value) => (Array.isArray(value) ? value : [value]) as Array<z.infer<T>>)
    .optional();
}

export const instantParam = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
export const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');

export const paginationParams = {
  limit: z.coerce.number().int().min(0).default(DEFAULT_PAGE_LIMIT).transform((limit) => Math.min(limit, MAXIMUM_PAGE_LIMIT)),
  offset: z.coerce.number().int().min(0).default(0),
};

/** Airflow's state filter takes `no_status` (and `none`) for the null state. */
export const stateParam = z
  .enum([...TASK_INSTANCE_STATES, 'no_status'] as [string, ...string[]])
  .transform((state) => (state === 'no_status' ? 'none' : state) as TaskInstanceState);

export function page<T>(items: readonly T[], query: { limit: number; offset: number }): T[] {
  return items.slice(query.offset, query.offset + query.limit);
}

export async function getRunOr404(metastore: Metastore, dagId: string, runId: string): Promise<DagRunRecord> {
  const run = await metastore.getDagRun({ dagId, runId });
  if (!run) {
    throw new NotFoundError(`DagRun with run_id: \`${runId}\` was not found in DAG \`${dagId}\`. List the DAG's runs with GET /api/v2/dags/${dagId}/dagRuns.`);
  }
  return run;
}

export async function getTaskInstanceOr404(
  metastore: Metastore,
  key: { dagId: string; runId: string; taskId: string; mapIndex: number },
): Promise<TaskInstanceRecord> {
  const ti = await metastore.getTaskInstance(key);
  if (!ti) {
    const mapped = key.mapIndex >= 0 ? ` and map_index: \`${key.mapIndex}\`` : '';
    throw new NotFoundError(
      `The Task Instance with dag_id: \`${key.dagId}\`, run_id: \`${key.runId}\` and task_id: \`${key.taskId}\`${mapped} was not found. ` +
        'List the run\'s task instances to see which exist.',
    );
  }
  return ti;
}

/** A path's `{map_index}`: a non-negative integer. */
export function mapIndexParam(value: string | undefined): number {
  if (value === undefined) return -1;
  if (!/^\d+$/.test(value)) throw new RestApiHttpError(422, `map_index must be a non-negative integer; got "${value}".`);
  return Number(value);
}

/** Tasks of the DAG versions runs used, read once per version. */
export class TaskLookup {
  private readonly versions = new Map<string, Promise<Map<string, SerializedTask>>>();

  constructor(private readonly metastore: Metastore) {}

  async task(run: Pick<DagRunRecord, 'dagId' | 'versionId'>, taskId: string): Promise<SerializedTask | undefined> {
    return (await this.tasks(run)).get(taskId);
  }

  tasks(run: Pick<DagRunRecord, 'dagId' | 'versionId'>): Promise<Map<string, SerializedTask>> {
    const id = `${run.dagId}\u0000${run.versionId}`;
    let tasks = this.versions.get(id);
    if (!tasks) {
      tasks = this.metastore
        .getDagVersion(run.dagId, run.versionId)
        .then((version) => new Map((version?.serialized.tasks ?? []).map((task) => [task.taskId, task])));
      this.versions.set(id, tasks);
    }
    return tasks;
  }
}

/**
 * The runs a list path names: one run, every run of one DAG, or (`~` for both) every run of every DAG the
 * caller may read. For one DAG, the access check is made here (route declared `handler`), as Airflow's
 * `requires_access_dag` does; across DAGs the list is filtered with `getAuthorizedDagIds`.
 */
export async function runsInScope(
  request: EndpointRequest,
  dagId: string,
  runId: string,
  accessEntity: DagAccessEntity,
): Promise<DagRunRecord[]> {
  const { deps, user, authManager } = request;
  const metastore = deps.metastore;
  let dagIds: string[];
  if (dagId === ANY) {
    const dags = await metastore.listDags();
    const allowed = await authManager.getAuthorizedDagIds({
      user: user!,
      method: 'GET',
      dagIds: dags.map((dag) => dag.dagId),
      tagsByDag: new Map(dags.map((dag) => [dag.dagId, dag.tags])),
    });
    dagIds = dags.map((dag) => dag.dagId).filter((id) => allowed.has(id));
  } else {
    if (!(await authManager.isAuthorizedDag({ method: 'GET', user: user!, accessEntity, dagId }))) {
      throw new RestApiHttpError(403, `Forbidden: user "${user!.name}" may not GET on ${accessEntity} of DAG "${dagId}".`);
    }
    dagIds = [dagId];
  }
  if (runId !== ANY) {
    const runs = await Promise.all(dagIds.map((id) => metastore.getDagRun({ dagId: id, runId })));
    const found = runs.filter((run): run is DagRunRecord => run !== null);
    if (found.length === 0) throw new NotFoundError(`DagRun with run_id: \`${runId}\` was not found.`);
    return found;
  }
  if (dagId !== ANY && !(await metastore.getDag(dagId))) {
    throw new NotFoundError(`The DAG with dag_id: \`${dagId}\` was not found. Upload its file, or check the id.`);
  }
  return (await Promise.all(dagIds.map((id) => metastore.listDagRuns(id)))).flat();
}
