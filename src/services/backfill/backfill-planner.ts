import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { DagRecord, DagVersionRecord } from '../../core/model/records.ts';
import type { ReprocessBehavior } from '../../core/ports/backfill-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import {
  backfillRunInfos,
  planBackfillRuns,
  validateBackfillDirection,
  validateBackfillRange,
  type PlannedBackfillRun,
} from '../../core/scheduling/backfill-planning.ts';
import { dependsOnPast } from '../../core/scheduling/depends-on-past.ts';
import { deserializeTimetable } from '../../core/timetables/deserialize.ts';
import { validateConfAgainstParams } from '../dag-runs/validate-conf.ts';

/** What a backfill request asks for (Airflow's BackfillPostBody, camelCase). */
export interface BackfillRequest {
  dagId: string;
  fromDate: Date;
  toDate: Date;
  runBackwards?: boolean;
  /** The conf of the runs; null or absent: `{}` for new runs, and re-run runs keep theirs. */
  dagRunConf?: Record<string, unknown> | null;
  reprocessBehavior?: ReprocessBehavior;
  maxActiveRuns?: number;
  triggeringUserName?: string | null;
}

export interface PreparedBackfill {
  dag: DagRecord;
  version: DagVersionRecord;
  /** Every logical date of the range, in start order, with what the backfill does with it. */
  plan: PlannedBackfillRun[];
}

/**
 * The checks and the plan shared by a dry run and a real backfill (Airflow's `_do_dry_run` and the first
 * half of `_create_backfill`): the DAG exists and has a periodic schedule, the range is valid, a DAG that
 * depends on the past is not run backwards, the conf fits the DAG's params, and each logical date is
 * decided against the run it has.
 *
 * @throws NotFoundError when the DAG is unknown; ValidationError for everything the request must change.
 */
export async function prepareBackfill(deps: { metastore: Metastore; clock: Clock }, request: BackfillRequest): Promise<PreparedBackfill> {
  const { metastore } = deps;
  const dag = await metastore.getDag(request.dagId);
  const version = dag?.isActive ? await metastore.getDagVersion(dag.dagId, dag.latestVersionId) : null;
  if (!dag || !version) {
    throw new NotFoundError(
      `Could not find dag ${request.dagId}` +
        (dag ? ' among active DAGs (its file was deleted or no longer defines it).' : '. Check the DAG id; GET /api/v2/dags lists the DAGs.'),
    );
  }
  const timetable = deserializeTimetable(version.serialized.timetable);
  if (!timetable.periodic) {
    throw new ValidationError(
      `${dag.dagId} has a non-periodic schedule that does not support backfills. Backfills need a cron or interval schedule; ` +
        'trigger single runs with POST /api/v2/dags/{dag_id}/dagRuns instead.',
      'dag_id',
    );
  }
  const now = deps.clock.now();
  validateBackfillRange({ fromDate: request.fromDate, toDate: request.toDate, now });
  validateBackfillDirection(request.runBackwards ?? false, version.serialized.tasks.filter(dependsOnPast).map((task) => task.taskId));
  if (request.dagRunConf) validateConfAgainstParams(version.serialized.params, request.dagRunConf);
  const infos = backfillRunInfos({
    timetable,
    fromDate: request.fromDate,
    toDate: request.toDate,
    runBackwards: request.runBackwards ?? false,
    now,
  });
  const dates = infos.map((info) => info.logicalDate.getTime());
  const existing =
    dates.length === 0
      ? []
      : await metastore.searchDagRuns(dag.dagId, { logicalDate: { gte: new Date(Math.min(...dates)), lte: new Date(Math.max(...dates)) } });
  const plan = planBackfillRuns(
    infos,
    existing.map((found) => found.run),
    request.reprocessBehavior ?? 'none',
  );
  return { dag, version, plan };
}
