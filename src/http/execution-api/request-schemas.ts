import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { FinishAttemptRequest, HeartbeatRequest, StartAttemptRequest } from '../../services/execution/attempt-messages.ts';

/**
 * Request bodies of the Task Execution API. Unknown fields are ignored so that newer runners can talk
 * to this server; missing or mistyped ones are refused with the field named.
 */

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const workerId = z.string().min(1);

const startSchema = z.object({ workerId, pid: z.number().int().nonnegative(), startDate: instant });
const heartbeatSchema = z.object({ workerId });
const finishSchema = z.object({
  state: z.enum(['success', 'failed', 'skipped']),
  workerId,
  endDate: instant,
  retryable: z.boolean().default(true),
  returnValue: z.unknown().optional(),
  error: z.string().optional(),
});

export function parseStartRequest(body: unknown): StartAttemptRequest {
  return parseWith(startSchema, body);
}

export function parseHeartbeatRequest(body: unknown): HeartbeatRequest {
  return parseWith(heartbeatSchema, body);
}

export function parseFinishRequest(body: unknown): FinishAttemptRequest {
  const parsed = parseWith(finishSchema, body);
  const request: FinishAttemptRequest = {
    state: parsed.state,
    workerId: parsed.workerId,
    endDate: parsed.endDate,
    retryable: parsed.retryable,
  };
  // An absent returnValue pushes nothing; an explicit null is a value (Airflow pushes None).
  if (isObject(body) && Object.hasOwn(body, 'returnValue')) request.returnValue = parsed.returnValue;
  if (parsed.error !== undefined) request.error = parsed.error;
  return request;
}

export function parseXComValue(body: unknown): unknown {
  if (!isObject(body) || !Object.hasOwn(body, 'value')) {
    throw new ValidationError('The request body must be an object with a "value" field holding any JSON value (null included).', 'value');
  }
  return body.value;
}

function parseWith<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  const where = field ? `field "${field}"` : 'request body';
  throw new ValidationError(`The ${where} is not valid: ${issue?.message ?? 'invalid value'}.`, field ?? 'body');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
