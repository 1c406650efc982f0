import { z } from 'zod';
import type { ImportErrorRecord } from '../../../core/model/records.ts';
import { stableIntegerId } from '../../../core/model/stable-ids.ts';

/** Airflow's ImportErrorResponse. */
export const importErrorResponseSchema = z.object({
  import_error_id: z.number().int(),
  timestamp: z.iso.datetime({ offset: true }),
  filename: z.string(),
  bundle_name: z.string().nullable(),
  stack_trace: z.string(),
});

export const importErrorCollectionSchema = z.object({
  import_errors: z.array(importErrorResponseSchema),
  total_entries: z.number().int(),
});

export type ImportErrorResponse = z.infer<typeof importErrorResponseSchema>;

/** Airflow's name for the DAG bundle of the DAGs folder; Updraft has one bundle, the bucket's `dags/` prefix. */
export const DAG_BUNDLE_NAME = 'dags-folder';

/** What Airflow shows instead of the trace when the caller may not read every DAG of the file. */
export const REDACTED_STACK_TRACE = 'REDACTED - you do not have read permission on all DAGs in the file';

/** An import error's id: `stableIntegerId` of its file's path (one error per file, as in Airflow). */
export const importErrorId = (fileloc: string): number => stableIntegerId(`import-error:${fileloc}`);

export function importErrorResponse(error: ImportErrorRecord, redacted: boolean): ImportErrorResponse {
  const trace = error.line === null ? error.message : `${error.fileloc}:${error.line}\n${error.message}`;
  return {
    import_error_id: importErrorId(error.fileloc),
    timestamp: error.timestamp.toISOString(),
    filename: error.fileloc,
    bundle_name: DAG_BUNDLE_NAME,
    stack_trace: redacted ? REDACTED_STACK_TRACE : trace,
  };
}
