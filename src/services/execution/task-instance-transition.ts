import { ConflictError, type UpdraftError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { Metastore, TaskInstanceChanges } from '../../core/ports/metastore.ts';
import { TaskInstanceNotFoundError } from './errors.ts';

/**
 * A conditional write whose refusal is explained by `explain` from the record as stored now.
 * `explain` returning null means the intended effect is already in place (a repeated request):
 * answered with `applied: false`, since this call changed nothing.
 */
export async function transitionTaskInstance(
  metastore: Pick<Metastore, 'updateTaskInstance' | 'getTaskInstance'>,
  key: TaskAttemptKey,
  changes: TaskInstanceChanges,
  condition: Parameters<Metastore['updateTaskInstance']>[2],
  explain: (current: TaskInstanceRecord) => UpdraftError | null,
): Promise<{ record: TaskInstanceRecord; applied: boolean }> {
  try {
    return { record: await metastore.updateTaskInstance(key, changes, condition), applied: true };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const current = error.current === undefined ? await metastore.getTaskInstance(key) : (error.current as TaskInstanceRecord | null);
    if (!current) throw taskInstanceNotFound(key);
    const refusal = explain(current);
    if (refusal) throw refusal;
    return { record: current, applied: false };
  }
}

export function taskInstanceNotFound(key: TaskInstanceKey): TaskInstanceNotFoundError {
  return new TaskInstanceNotFoundError(
    `The task instance ${formatTaskInstanceKey(key)} does not exist; check the id in the URL or whether its run was deleted.`,
  );
}
