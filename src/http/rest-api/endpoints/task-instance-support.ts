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

export interface TaskInstanceLookupOptions {
  /** What a caller who named map index -1 of an expanded mapped task should do instead. */
  mappedHint?: string;
}

/** Airflow's answer when map index -1 of a mapped task is asked for by a path without `{map_index}`. */
export const MAPPED_TASK_HINT = 'Task instance is mapped, add the map_index value to the URL';

/**
 * One task instance, or 404. Map index -1 of a mapped task that has been expanded is Updraft's placeholder
 * (Airflow has no instance there any more): it answers 404 telling to name a map index.
 */
export async function getTaskInstanceOr404(
  metastore: Metastore,
  key: { dagId: string; runId: string; taskId: string; mapIndex: number },
  options: TaskInstanceLookupOptions = {},
): Promise<TaskInstanceRecord> {
  const [ti, first] = await Promise.all([
    metastore.getTaskInstance(key),
    key.mapIndex === -1 ? metastore.getTaskInstance({ ...key, mapIndex: 0 }) : Promise.resolve(null),
  ]);
  if (!ti) {
    const mapped = key.mapIndex >= 0 ? ` and map_index: \`${key.mapIndex}\`` : '';
    throw new NotFoundError(
      `The ${key.mapIndex >= 0 ? 'Mapped ' : ''}Task Instance with dag_id: \`${key.dagId}\`, run_id: \`${key.runId}\` and task_id: \`${key.taskId}\`${mapped} was not found. ` +
        (key.mapIndex >= 0
          ? `List the task's mapped instances with GET .../taskInstances/${key.taskId}/listMapped.`
          : "List the run's task instances to see which exist."),
    );
  }
  if (first) {
    throw new NotFoundError(
      `${options.mappedHint ?? MAPPED_TASK_HINT} (task \`${key.taskId}\` of run \`${key.runId}\` has mapped instances 0 and up; ` +
        `list them with GET .../taskInstances/${key.taskId}/listMapped).`,
    );
  }
  return ti;
}

/** Whether a task is expanded into mapped instances per run: its own `.expand()`, or an enclosing mapped task group. */
export function isMappedTask(task: SerializedTask | undefined): boolean {
  return task !== undefined && (task.expandInputs !== undefined || task.mappedGroupId !== undefined);
}

/**
 * The instances Airflow would list: once a mapped task has instances 0..n-1, its map index -1 record is
 * Updraft's expansion placeholder (state removed), which Airflow does not have, so it is left out. Before
 * expansion (only -1, state none) and after an empty expansion (only -1, skipped) the -1 instance is listed.
 */
export function withoutMappedPlaceholders<T extends Pick<TaskInstanceRecord, 'dagId' | 'runId' | 'taskId' | 'mapIndex'>>(tis: readonly T[]): T[] {
  const id = (ti: T) => `${ti.dagId}\u0000${ti.runId}\u0000${ti.taskId}`;
  const expanded = new Set(tis.filter((ti) => ti.mapIndex >= 0).map(id));
  return tis.filter((ti) => ti.mapIndex >= 0 || !expanded.has(id(ti)));
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

/**
 * The instances of one task in a run that a path without `{map_index}` names: its one instance, or, once
 * it has been expanded, its mapped instances in map index order (Airflow's patch without a map index).
 */
export async function instancesOfTaskOr404(metastore: Metastore, run: DagRunRecord, taskId: string): Promise<TaskInstanceRecord[]> {
  const key = { dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1 };
  const [single, first] = await Promise.all([metastore.getTaskInstance(key), metastore.getTaskInstance({ ...key, mapIndex: 0 })]);
  if (first) {
    const tis = await metastore.listTaskInstances(run);
    return tis.filter((ti) => ti.taskId === taskId && ti.mapIndex >= 0).sort((a, b) => a.mapIndex - b.mapIndex);
  }
  if (!single) {
    throw new NotFoundError(
      `The Task Instance with dag_id: \`${run.dagId}\`, run_id: \`${run.runId}\` and task_id: \`${taskId}\` was not found. ` +
        "List the run's task instances to see which exist.",
    );
  }
  return [single];
}

/**
 * Leaves out of an answer the map index -1 placeholders of expanded mapped tasks (see
 * withoutMappedPlaceholders), for answers that are not a whole run's list: a placeholder whose mapped
 * instances are not in the answer is recognised by its task being mapped and having a map index 0.
 */
export async function hideMappedPlaceholders(
  metastore: Metastore,
  lookup: TaskLookup,
  tis: readonly TaskInstanceRecord[],
  runs: ReadonlyMap<string, DagRunRecord>,
): Promise<TaskInstanceRecord[]> {
  const visible = withoutMappedPlaceholders(tis);
  const expanded = await Promise.all(
    visible.map(async (ti) => {
      if (ti.mapIndex !== -1) return false;
      const run = runs.get(ti.runId);
      if (!run || !isMappedTask(await lookup.task(run, ti.taskId))) return false;
      return (await metastore.getTaskInstance({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: 0 })) !== null;
    }),
  );
  return visible.filter((_, index) => !expanded[index]);
}
