import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { ConflictError, NotFoundError, UpdraftError, ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { AuthenticationError } from '../../services/auth/errors.ts';
import type { ErrorBody, ValidationErrorBody } from './response-schemas.ts';

/**
 * An error a handler raises to answer with a given status and message, for cases no domain error
 * covers (401, 403, 405 ...). The message is shown to the client as `detail`: write it for them.
 */
export class RestApiHttpError extends UpdraftError {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super('http', message);
  }
}

/**
 * Maps an error to Airflow's error shape `{ "detail": "<message>" }`. Domain errors carry messages written
 * for people, so they are passed through; anything else is logged with its stack and answered with a
 * generic 500 that leaks nothing.
 */
export function errorResponse(
  error: unknown,
  logger: Logger,
): { status: ContentfulStatusCode; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof RestApiHttpError) return { status: error.status, body: { detail: error.message }, headers: error.headers };
  if (error instanceof AuthenticationError) return { status: 401, body: { detail: error.message }, headers: { 'WWW-Authenticate': 'Bearer' } };
  if (error instanceof ValidationError) return answer(400, error.message);
  if (error instanceof NotFoundError) return answer(404, error.message);
  if (error instanceof ConflictError) return answer(409, error.message);
  logger.error('REST API request failed', {
    error: error instanceof Error ? error.message : String(error),
    code: error instanceof UpdraftError ? error.code : undefined,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return answer(500, 'The REST API failed to handle the request. Retry it; if it keeps failing, the function log has the cause.');
}

/**
 * A query or body that does not fit its schema, answered as FastAPI does (422, one entry per problem with
 * its location), so Airflow clients that read `detail[].loc` keep working.
 */
export function validationErrorResponse(
  error: z.ZodError,
  where: 'query' | 'body',
  input: unknown,
): { status: 422; body: ValidationErrorBody } {
  return {
    status: 422,
    body: {
      detail: error.issues.map((issue) => ({
        type: issue.code,
        loc: [where, ...issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)))],
        msg: issue.message,
        input: valueAt(input, issue.path),
      })),
    },
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value ?? null;
}

function answer(status: ContentfulStatusCode, detail: string) {
  return { status, body: { detail }, headers: {} };
}
