import { z } from 'zod';
import type { DagRecord, DagVersionRecord } from '../../../core/model/records.ts';
import { deserializeTimetable } from '../../../core/timetables/deserialize.ts';

/**
 * DAG records in Airflow's DAGResponse / DAGDetailsResponse shapes. Fields Updraft has no notion of are
 * answered as Airflow answers "none": owners [], max_consecutive_failed_dag_runs 0, last_expired null...
 * (docs/rest-api.md lists them).
 */

/** Airflow's name of the default bundle (the dags folder); Updraft has one bundle, the bucket's `dags/`. */
export const BUNDLE_NAME = 'dags-folder';

const instant = z.iso.datetime({ offset: true });

export const dagVersionSchema = z.object({
  id: z.string(),
  version_number: z.number().int().nullable(),
  dag_id: z.string(),
  bundle_name: z.string().nullable(),
  bundle_version: z.string().nullable(),
  created_at: instant,
  dag_display_name: z.string(),
  bundle_url: z.string().nullable(),
});

export const dagSchema = z.object({
  dag_id: z.string(),
  dag_display_name: z.string(),
  is_paused: z.boolean(),
  is_stale: z.boolean(),
  last_parsed_time: instant.nullable(),
  last_expired: instant.nullable(),
  bundle_name: z.string().nullable(),
  bundle_version: z.string().nullable(),
  relative_fileloc: z.string().nullable(),
  fileloc: z.string(),
  description: z.string().nullable(),
  timetable_summary: z.string().nullable(),
  timetable_description: z.string().nullable(),
  tags: z.array(z.object({ name: z.string(), dag_id: z.string() })),
  max_active_tasks: z.number().int(),
  max_active_runs: z.number().int().nullable(),
  max_consecutive_failed_dag_runs: z.number().int(),
  has_task_concurrency_limits: z.boolean(),
  has_import_errors: z.boolean(),
  next_dagrun_logical_date: instant.nullable(),
  next_dagrun_data_interval_start: instant.nullable(),
  next_dagrun_data_interval_end: instant.nullable(),
  next_dagrun_run_after: instant.nullable(),
  owners: z.array(z.string()),
  file_token: z.string(),
});

export const dagCollectionSchema = z.object({ dags: z.array(dagSchema), total_entries: z.number().int() });

export const dagDetailsSchema = dagSchema.extend({
  catchup: z.boolean(),
  dag_run_timeout: z.string().nullable(),
  asset_expression: z.record(z.string(), z.unknown()).nullable(),
  doc_md: z.string().nullable(),
  start_date: instant.nullable(),
  end_date: instant.nullable(),
  is_paused_upon_creation: z.boolean().nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  render_template_as_native_obj: z.boolean(),
  template_search_path: z.array(z.string()).nullable(),
  timezone: z.string().nullable(),
  last_parsed: instant.nullable(),
  concurrency: z.number().int(),
  latest_dag_version: dagVersionSchema.nullable(),
  is_favorite: z.boolean(),
  active_runs_count: z.number().int(),
});

export type DagJson = z.infer<typeof dagSchema>;
export type DagDetailsJson = z.infer<typeof dagDetailsSchema>;
export type DagVersionJson = z.infer<typeof dagVersionSchema>;

export function serializeDagVersion(version: Pick<DagVersionRecord, 'dagId' | 'versionId' | 'createdAt'>): DagVersionJson {
  return {
    id: version.versionId,
    // Versions are content hashes with no sequence number in the metastore.
    version_number: null,
    dag_id: version.dagId,
    bundle_name: BUNDLE_NAME,
    bundle_version: null,
    created_at: version.createdAt.toISOString(),
    dag_display_name: version.dagId,
    bundle_url: null,
  };
}

/** The next automated run as the timetable plans it from the DAG's bookkeeping (null: none planned). */
function nextRun(dag: DagRecord, version: DagVersionRecord | null, now: Date) {
  if (!version || dag.nextDagRunCreateAfter === null) return null;
  const serialized = version.serialized;
  try {
    return deserializeTimetable(serialized.timetable).nextDagRunInfo({
      lastAutomatedDataInterval: dag.lastAutomatedDataInterval,
      restriction: {
        earliest: serialized.startDate ? new Date(serialized.startDate) : null,
        latest: serialized.endDate ? new Date(serialized.endDate) : null,
        catchup: serialized.catchup,
      },
      now,
    });
  } catch {
    return null;
  }
}

export function serializeDag(dag: DagRecord, version: DagVersionRecord | null, hasImportErrors: boolean, now: Date): DagJson {
  const serialized = version?.serialized;
  const next = nextRun(dag, version, now);
  let timetableSummary: string | null = null;
  try {
    timetableSummary = serialized ? deserializeTimetable(serialized.timetable).summary : null;
  } catch {
    timetableSummary = null;
  }
  return {
    dag_id: dag.dagId,
    dag_display_name: dag.dagId,
    is_paused: dag.isPaused,
    is_stale: !dag.isActive,
    last_parsed_time: dag.lastParsedAt.toISOString(),
    last_expired: null,
    bundle_name: BUNDLE_NAME,
    bundle_version: null,
    relative_fileloc: dag.fileloc,
    fileloc: dag.fileloc,
    description: dag.description,
    timetable_summary: dag.scheduleDescription ?? timetableSummary,
    timetable_description: timetableSummary,
    tags: [...dag.tags].sort().map((name) => ({ name, dag_id: dag.dagId })),
    max_active_tasks: serialized?.maxActiveTasks ?? 16,
    max_active_runs: dag.maxActiveRuns,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: hasImportErrors,
    next_dagrun_logical_date: next ? next.logicalDate.toISOString() : null,
    next_dagrun_data_interval_start: next ? next.dataInterval.start.toISOString() : null,
    next_dagrun_data_interval_end: next ? next.dataInterval.end.toISOString() : null,
    next_dagrun_run_after: dag.nextDagRunCreateAfter ? dag.nextDagRunCreateAfter.toISOString() : null,
    owners: [],
    file_token: Buffer.from(JSON.stringify({ bundle_name: BUNDLE_NAME, relative_fileloc: dag.fileloc })).toString('base64url'),
  };
}

export function serializeDagDetails(
  dag: DagRecord,
  version: DagVersionRecord | null,
  extra: { hasImportErrors: boolean; activeRunsCount: number; now: Date },
): DagDetailsJson {
  const base = serializeDag(dag, version, extra.hasImportErrors, extra.now);
  const serialized = version?.serialized;
  return {
    ...base,
    catchup: serialized?.catchup ?? false,
    dag_run_timeout: null,
    asset_expression: null,
    doc_md: null,
    start_date: serialized?.startDate ?? null,
    end_date: serialized?.endDate ?? null,
    is_paused_upon_creation: null,
    // Airflow's Param.dump(): the value, the description and the JSON schema.
    params: serialized
      ? Object.fromEntries(
          Object.entries(serialized.params).map(([name, param]) => [
            name,
            {
              value: param.default ?? null,
              description: param.description ?? null,
              schema: param.type ? { type: param.type } : {},
              source: null,
            },
          ]),
        )
      : null,
    render_template_as_native_obj: false,
    template_search_path: null,
    timezone: serialized?.timezone ?? null,
    last_parsed: base.last_parsed_time,
    concurrency: base.max_active_tasks,
    latest_dag_version: version ? serializeDagVersion(version) : null,
    is_favorite: false,
    active_runs_count: extra.activeRunsCount,
  };
}
