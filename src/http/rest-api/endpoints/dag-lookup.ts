import { NotFoundError } from '../../../core/errors.ts';
import type { DagRecord, DagRunRecord, DagVersionRecord } from '../../../core/model/records.ts';
import type { Metastore } from '../../../core/ports/metastore.ts';
import type { AuthenticatedUser, AuthManager, ResourceMethod } from '../../../services/auth/auth-manager.ts';
import { DagVersionCache } from '../../../services/dag-version-cache.ts';
import type { RestApiDeps } from '../app.ts';

/** Reads shared by the DAG and DAG run endpoints. */

/** Versions are immutable: one cache per metastore, kept as long as the app (a Lambda container) lives. */
const versionCaches = new WeakMap<Metastore, DagVersionCache>();

/** The version, or null when it cannot be read (a response then shows no version rather than failing). */
export async function dagVersionOrNull(deps: Pick<RestApiDeps, 'metastore'>, dagId: string, versionId: string): Promise<DagVersionRecord | null> {
  let cache = versionCaches.get(deps.metastore);
  if (!cache) {
    cache = new DagVersionCache(deps.metastore);
    versionCaches.set(deps.metastore, cache);
  }
  try {
    return await cache.get(dagId, versionId);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export async function requireDag(deps: Pick<RestApiDeps, 'metastore'>, dagId: string): Promise<DagRecord> {
  const dag = await deps.metastore.getDag(dagId);
  if (!dag) {
    throw new NotFoundError(
      `Dag with id: ${dagId} was not found. Check the DAG id (GET /api/v2/dags lists them), and that its file is under dags/ and parses.`,
    );
  }
  return dag;
}

export async function requireDagRun(deps: Pick<RestApiDeps, 'metastore'>, dagId: string, runId: string): Promise<DagRunRecord> {
  const run = await deps.metastore.getDagRun({ dagId, runId });
  if (!run) throw dagRunNotFound(dagId, runId);
  return run;
}

export function dagRunNotFound(dagId: string, runId: string): NotFoundError {
  return new NotFoundError(
    `The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found. GET /api/v2/dags/${dagId}/dagRuns lists its runs.`,
  );
}

/** Files with an import error now: their DAGs answer `has_import_errors: true`. */
export async function filesWithImportErrors(deps: Pick<RestApiDeps, 'metastore'>): Promise<Set<string>> {
  return new Set((await deps.metastore.listImportErrors()).map((error) => error.fileloc));
}

/** The DAGs among `dags` the user may act on with `method` (the auth manager decides in one call). */
export async function authorizedDags(
  authManager: AuthManager,
  user: AuthenticatedUser,
  method: ResourceMethod,
  dags: readonly DagRecord[],
): Promise<DagRecord[]> {
  const allowed = await authManager.getAuthorizedDagIds({
    user,
    method,
    dagIds: dags.map((dag) => dag.dagId),
    tagsByDag: new Map(dags.map((dag) => [dag.dagId, dag.tags])),
  });
  return dags.filter((dag) => allowed.has(dag.dagId));
}
