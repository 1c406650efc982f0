import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { runIdFor } from '../../core/model/keys.ts';
import type { DagRunRecord } from '../../core/model/records.ts';
import { deserializeTimetable } from '../../core/timetables/deserialize.ts';
import type { SchedulerDeps } from './settings.ts';

export interface TriggerDagRunRequest {
  dagId: string;
  /** Defaults to now, as Airflow's trigger does. */
  logicalDate?: Date;
  conf?: Record<string, unknown>;
  /** Defaults to `manual__<logical date>`. */
  runId?: string;
}

/**
 * Creates a manual run in `queued`; the next tick starts it within the DAG's `maxActiveRuns`. Paused DAGs
 * can be triggered, as in Airflow: their runs wait in queued until the DAG is unpaused.
 */
export async function triggerDagRun(
  deps: Pick<SchedulerDeps, 'metastore' | 'clock' | 'dagVersions' | 'logger'>,
  request: TriggerDagRunRequest,
): Promise<DagRunRecord> {
  const { metastore, clock, dagVersions } = deps;
  const dag = await metastore.getDag(request.dagId);
  if (!dag || !dag.isActive) {
    throw new NotFoundError(
      `DAG "${request.dagId}" was not found${dag ? ' among active DAGs (its file was deleted or no longer defines it)' : ''}. ` +
        'Check the DAG id, and that its file is under dags/ and parses without import errors.',
    );
  }
  const version = await dagVersions.get(dag.dagId, dag.latestVersionId);
  const now = clock.now();
  const logicalDate = request.logicalDate ?? now;
  const run: DagRunRecord = {
    dagId: dag.dagId,
    runId: request.runId ?? runIdFor('manual', logicalDate),
    state: 'queued',
    runType: 'manual',
    logicalDate,
    dataInterval: deserializeTimetable(version.serialized.timetable).inferManualDataInterval(logicalDate),
    runAfter: now,
    versionId: dag.latestVersionId,
    conf: request.conf ?? {},
    queuedAt: now,
    startDate: null,
    endDate: null,
    revision: 0,
  };
  if (!(await metastore.createDagRun(run))) {
    const existing = await metastore.getDagRun(run);
    throw new ConflictError(
      `DAG "${run.dagId}" already has a run with id "${run.runId}". Pass another run id or logical date to trigger a new run.`,
      existing,
    );
  }
  deps.logger.info('Triggered DAG run', { dag_id: run.dagId, run_id: run.runId });
  return (await metastore.getDagRun(run)) ?? run;
}
