import { z } from 'zod';
import type { DagRunRecord, DagVersionRecord } from '../../../core/model/records.ts';
import { DAG_RUN_STATES, DAG_RUN_TYPES, type DagRunType } from '../../../core/model/states.ts';
import { dagVersionSchema, serializeDagVersion } from './dag.ts';

const instant = z.iso.datetime({ offset: true });

/** Airflow's DagRunTriggeredByType values Updraft can tell from the run type. */
const TRIGGERED_BY = ['cli', 'operator', 'rest_api', 'ui', 'test', 'timetable', 'asset', 'backfill'] as const;

export const dagRunSchema = z.object({
  dag_run_id: z.string(),
  dag_id: z.string(),
  logical_date: instant.nullable(),
  queued_at: instant.nullable(),
  start_date: instant.nullable(),
  end_date: instant.nullable(),
  duration: z.number().nullable(),
  data_interval_start: instant.nullable(),
  data_interval_end: instant.nullable(),
  run_after: instant,
  last_scheduling_decision: instant.nullable(),
  run_type: z.enum(DAG_RUN_TYPES),
  state: z.enum(DAG_RUN_STATES),
  triggered_by: z.enum(TRIGGERED_BY).nullable(),
  triggering_user_name: z.string().nullable(),
  conf: z.record(z.string(), z.unknown()).nullable(),
  note: z.string().nullable(),
  dag_versions: z.array(dagVersionSchema),
  bundle_version: z.string().nullable(),
  dag_display_name: z.string(),
});

export const dagRunCollectionSchema = z.object({ dag_runs: z.array(dagRunSchema), total_entries: z.number().int() });

export type DagRunJson = z.infer<typeof dagRunSchema>;

/**
 * Who created the run, as far as the run type tells. A manual run may come from the REST API, the CLI
 * or a scheduler command; the record does not say which, so it is null.
 */
function triggeredBy(runType: DagRunType): DagRunJson['triggered_by'] {
  switch (runType) {
    case 'scheduled':
      return 'timetable';
    case 'asset_triggered':
      return 'asset';
    case 'backfill':
      return 'backfill';
    case 'manual':
      return null;
  }
}

/** Seconds between start and end, as Airflow's `duration` (null until the run has both). */
export function dagRunDurationSeconds(run: Pick<DagRunRecord, 'startDate' | 'endDate'>): number | null {
  if (!run.startDate || !run.endDate) return null;
  return Math.max(0, (run.endDate.getTime() - run.startDate.getTime()) / 1000);
}

/** `version` is the run's DAG version when it could be read (null: the list answers none). */
export function serializeDagRun(run: DagRunRecord, note: string | null, version: Pick<DagVersionRecord, 'dagId' | 'versionId' | 'createdAt'> | null): DagRunJson {
  return {
    dag_run_id: run.runId,
    dag_id: run.dagId,
    logical_date: run.logicalDate.toISOString(),
    queued_at: run.queuedAt.toISOString(),
    start_date: run.startDate?.toISOString() ?? null,
    end_date: run.endDate?.toISOString() ?? null,
    duration: dagRunDurationSeconds(run),
    data_interval_start: run.dataInterval.start.toISOString(),
    data_interval_end: run.dataInterval.end.toISOString(),
    run_after: run.runAfter.toISOString(),
    last_scheduling_decision: null,
    run_type: run.runType,
    state: run.state,
    triggered_by: triggeredBy(run.runType),
    triggering_user_name: null,
    conf: run.conf,
    note,
    dag_versions: version ? [serializeDagVersion(version)] : [],
    bundle_version: null,
    dag_display_name: run.dagId,
  };
}
