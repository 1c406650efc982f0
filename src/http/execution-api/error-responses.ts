import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { NotFoundError, UpdraftError, ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { AttemptConflictError, ForbiddenError, XComNotFoundError } from '../../services/execution/errors.ts';
import { ConnectionNotFoundError, VariableNotFoundError } from '../../services/secrets/errors.ts';
import { TaskTokenError } from '../../services/execution/task-tokens.ts';
import { XComValueError } from '../../services/execution/xcom-values.ts';
import { MappedInputError } from '../../services/execution/mapped-inputs.ts';
import { UnsupportedApiVersionError } from './versioning/unsupported-version-error.ts';

/** `{ detail: { reason, message, ...extra } }`, as Airflow's Execution API answers errors. */
export interface ErrorBody {
  detail: { reason: string; message: string; [extra: string]: unknown };
}

export function errorResponse(error: unknown, logger: Logger): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof TaskTokenError) return answer(401, 'invalid_token', error.message);
  if (error instanceof ForbiddenError) return answer(403, 'forbidden', error.message);
  if (error instanceof UnsupportedApiVersionError) {
    return answer(400, 'validation', error.message, { field: error.field, supportedVersions: error.supportedVersions });
  }
  if (error instanceof ValidationError) return answer(400, 'validation', error.message, { field: error.field });
  if (error instanceof XComValueError) return answer(400, 'validation', error.message, { field: 'value' });
  if (error instanceof AttemptConflictError) {
    return answer(409, error.reason, error.message, { currentState: error.currentState });
  }
  if (error instanceof XComNotFoundError) return answer(404, 'xcom_not_found', error.message);
  if (error instanceof MappedInputError) return answer(422, 'mapped_input', error.message);
  if (error instanceof VariableNotFoundError) return answer(404, 'variable_not_found', error.message);
  if (error instanceof ConnectionNotFoundError) return answer(404, 'connection_not_found', error.message);
  if (error instanceof NotFoundError) return answer(404, 'not_found', error.message);
  logger.error('Execution API request failed', {
    error: error instanceof Error ? error.message : String(error),
    code: error instanceof UpdraftError ? error.code : undefined,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return answer(500, 'internal_error', 'The Execution API failed to handle the request; it is safe to retry.');
}

function answer(
  status: ContentfulStatusCode,
  reason: string,
  message: string,
  extra: Record<string, unknown> = {},
): { status: ContentfulStatusCode; body: ErrorBody } {
  return { status, body: { detail: { reason, message, ...extra } } };
}
