import type { TaskAttemptKey } from '../../core/model/keys.ts';

/** The log attributes that name an attempt. */
export function attemptLogKeys(attempt: TaskAttemptKey): Record<string, unknown> {
  return { dag_id: attempt.dagId, run_id: attempt.runId, task_id: attempt.taskId, try_number: attempt.tryNumber };
}
