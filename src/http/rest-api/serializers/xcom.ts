import { z } from 'zod';
import type { DagRunRecord, XComRecord } from '../../../core/model/records.ts';

/** XComs in Airflow's REST API v2 shape (XComResponse, XComResponseNative / XComResponseString). */

export const xcomSchema = z.object({
  key: z.string(),
  timestamp: z.string(),
  logical_date: z.string().nullable(),
  map_index: z.number().int(),
  task_id: z.string(),
  dag_id: z.string(),
  run_id: z.string(),
  dag_display_name: z.string(),
  task_display_name: z.string(),
});

export const xcomWithValueSchema = xcomSchema.extend({ value: z.unknown() });
export const xcomCollectionSchema = z.object({ xcom_entries: z.array(xcomSchema), total_entries: z.number().int() });

export type XComJson = z.infer<typeof xcomSchema>;

export function serializeXCom(record: XComRecord, run: Pick<DagRunRecord, 'logicalDate'> | null): XComJson {
  return {
    key: record.key,
    timestamp: record.timestamp.toISOString(),
    logical_date: run ? run.logicalDate.toISOString() : null,
    map_index: record.mapIndex,
    task_id: record.taskId,
    dag_id: record.dagId,
    run_id: record.runId,
    // Updraft has no display names: the ids are shown, as Airflow does when none is set.
    dag_display_name: record.dagId,
    task_display_name: record.taskId,
  };
}
