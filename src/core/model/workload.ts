import { LOG_PREFIX } from './bucket-layout.ts';
import type { TaskAttemptKey } from './keys.ts';

/**
 * What an executor hands to a worker: everything needed to run one attempt, and nothing that grants
 * access to the metastore. The token authorises Execution API calls for this attempt only.
 */
export interface ExecuteTaskWorkload {
  kind: 'ExecuteTask';
  ti: TaskAttemptKey;
  /** The DAG version the run started with. */
  versionId: string;
  /** Object-store key of that version's bundled JavaScript. */
  bundleKey: string;
  /** Object-store key the attempt's log is written to. */
  logKey: string;
  token: string;
  /** When the scheduler queued it (ISO), for queue-latency metrics. */
  queuedAt: string;
}

/** `logs/dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log`, as the issue tracker and docs promise. */
export function taskLogKey(ti: TaskAttemptKey): string {
  const map = ti.mapIndex >= 0 ? `/map_index=${ti.mapIndex}` : '';
  return `${LOG_PREFIX}dag_id=${ti.dagId}/run_id=${ti.runId}/task_id=${ti.taskId}${map}/attempt=${ti.tryNumber}.log`;
}

/**
 * Where an executor that runs attempts in processes it owns keeps their output (the container entry's
 * own lines, not the task's): next to the task log, shown after it by `updraft tasks logs`.
 */
export function executorLogKey(ti: TaskAttemptKey): string {
  return taskLogKey(ti).replace(/\.log$/, '.executor.log');
}
