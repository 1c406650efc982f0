import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { DagRunRecord, DagVersionRecord } from '../../core/model/records.ts';
import type { SerializedTask } from '../../core/model/serialized-dag.ts';
import { taskLogKey, type ExecuteTaskWorkload } from '../../core/model/workload.ts';
import type { TaskTokens } from '../execution/task-tokens.ts';

/** Tokens outlive the longest allowed attempt by an hour, so a slow start or finish is still authorised. */
const DEFAULT_TOKEN_ATTEMPT_SECONDS = 86_400;
const TOKEN_MARGIN_SECONDS = 3_600;

/**
 * The workload that runs one attempt, with a token valid for the attempt's longest run (plus `delaySeconds`
 * for a delivery sent ahead with a queue delay).
 */
export function executeTaskWorkload(
  tokens: TaskTokens,
  attempt: TaskAttemptKey,
  task: Pick<SerializedTask, 'executionTimeoutSeconds'>,
  run: Pick<DagRunRecord, 'versionId'>,
  version: Pick<DagVersionRecord, 'bundleKey'>,
  options: { queuedAt: Date; delaySeconds?: number; rescheduleDate?: Date },
): ExecuteTaskWorkload {
  const ttl = (task.executionTimeoutSeconds ?? DEFAULT_TOKEN_ATTEMPT_SECONDS) + TOKEN_MARGIN_SECONDS + (options.delaySeconds ?? 0);
  return {
    kind: 'ExecuteTask',
    ti: attempt,
    versionId: run.versionId,
    bundleKey: version.bundleKey,
    logKey: taskLogKey(attempt),
    token: tokens.issue(attempt, ttl),
    queuedAt: options.queuedAt.toISOString(),
    ...(options.rescheduleDate ? { rescheduleDate: options.rescheduleDate.toISOString() } : {}),
  };
}
