import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { TaskTokenError, type TaskTokens } from '../../services/execution/task-tokens.ts';

/**
 * The bearer of a valid task token acts for the attempt the token names. A token whose claims are not
 * an attempt key is refused like a forged one: `TaskTokens.verify` checks only signature and expiry.
 */
export function authenticate(authorization: string | undefined, tokens: TaskTokens): TaskAttemptKey {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    throw new TaskTokenError(
      'The request has no task token. Send "Authorization: Bearer <token>" with the token from the task workload.',
    );
  }
  const claims = tokens.verify(match[1] as string);
  if (
    typeof claims.dagId !== 'string' ||
    typeof claims.runId !== 'string' ||
    typeof claims.taskId !== 'string' ||
    !Number.isInteger(claims.mapIndex) ||
    !Number.isInteger(claims.tryNumber)
  ) {
    throw new TaskTokenError('The task token does not name a task attempt.');
  }
  return { dagId: claims.dagId, runId: claims.runId, taskId: claims.taskId, mapIndex: claims.mapIndex, tryNumber: claims.tryNumber };
}
