import { z } from 'zod';
import { REPROCESS_BEHAVIORS, type BackfillRecord } from '../../../core/ports/backfill-store.ts';

const instant = z.iso.datetime({ offset: true });

/** Airflow 3's BackfillResponse. */
export const backfillResponseSchema = z.object({
  id: z.number().int().nonnegative(),
  dag_id: z.string(),
  from_date: instant,
  to_date: instant,
  dag_run_conf: z.record(z.string(), z.unknown()).nullable(),
  is_paused: z.boolean(),
  reprocess_behavior: z.enum(REPROCESS_BEHAVIORS),
  max_active_runs: z.number().int(),
  created_at: instant,
  completed_at: instant.nullable(),
  updated_at: instant,
  dag_display_name: z.string(),
});

export const backfillCollectionSchema = z.object({
  backfills: z.array(backfillResponseSchema),
  total_entries: z.number().int(),
});

/** Airflow 3's DryRunBackfillResponse; Updraft has no partitioned schedules, so the partition fields are null. */
export const dryRunBackfillResponseSchema = z.object({
  logical_date: instant.nullable(),
  partition_key: z.string().nullable(),
  partition_date: instant.nullable(),
});

export const dryRunBackfillCollectionSchema = z.object({
  backfills: z.array(dryRunBackfillResponseSchema),
  total_entries: z.number().int(),
});

export type BackfillJson = z.infer<typeof backfillResponseSchema>;

/** `dag_display_name` is the DAG id: Updraft DAGs have no separate display name. */
export function serializeBackfill(backfill: BackfillRecord): BackfillJson {
  return {
    id: backfill.id,
    dag_id: backfill.dagId,
    from_date: backfill.fromDate.toISOString(),
    to_date: backfill.toDate.toISOString(),
    dag_run_conf: backfill.dagRunConf,
    is_paused: backfill.isPaused,
    reprocess_behavior: backfill.reprocessBehavior,
    max_active_runs: backfill.maxActiveRuns,
    created_at: backfill.createdAt.toISOString(),
    completed_at: backfill.completedAt?.toISOString() ?? null,
    updated_at: backfill.updatedAt.toISOString(),
    dag_display_name: backfill.dagId,
  };
}
