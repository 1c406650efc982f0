import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { ATTEMPT_END_STATES } from '../../core/model/states.ts';
import type { FinishAttemptRequest, HeartbeatRequest, StartAttemptRequest } from '../../services/execution/attempt-messages.ts';
import type { SkipDownstreamRequest } from '../../services/execution/skip-downstream.ts';

/**
 * Request bodies of the Task Execution API at head. Unknown fields are ignored so that newer runners
 * can talk to this server; missing or mistyped ones are refused with the field named. The OpenAPI
 * document is generated from these schemas (their input side).
 */

const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .meta({ description: 'ISO 8601 instant with a zone offset or Z.' });
const workerId = z.string().min(1).meta({ description: 'Identifies the worker process; the same id must start, heartbeat and finish.' });

export const startRequestSchema = z
  .object({
    workerId,
    pid: z.number().int().nonnegative().meta({ description: 'The process id running the task, for logs.' }),
    startDate: instant,
    rescheduleDate: instant.optional().meta({
      description:
        'Since 2026-11-23. Sent by a delayed delivery of a rescheduled try: the reschedule date it was sent for. The try then ' +
        'may also start from up_for_reschedule, while that date is still the one stored.',
    }),
  })
  .meta({ description: 'Claims the attempt: queued → running.' });

export const heartbeatRequestSchema = z.object({ workerId });

const jsonObject = z.record(z.string(), z.unknown());

const assetEventSchema = z
  .object({
    uri: z.string().min(1).max(1500).meta({ description: 'The asset updated, e.g. s3://bucket/prefix/.' }),
    extra: jsonObject.default({}).meta({ description: 'Any JSON object the consumers may read (row counts, a partition...).' }),
  })
  .meta({ description: 'An asset the attempt updated.' });

const deferralSchema = z
  .object({
    trigger: z.object({
      kind: z.string().min(1).meta({ description: 'A trigger the triggerer knows: a built-in kind or a registered custom trigger.' }),
      kwargs: jsonObject.default({}).meta({ description: "The trigger's arguments." }),
    }),
    nextMethod: z.string().min(1).meta({ description: 'The method the attempt resumes in when the trigger fires.' }),
    nextKwargs: jsonObject.nullable().default(null).meta({ description: 'Arguments for nextMethod; the trigger event is added to them.' }),
    triggerTimeout: instant.nullable().default(null).meta({ description: 'When to stop waiting: the attempt then fails (retries apply).' }),
  })
  .meta({ description: 'What a deferred attempt waits for, and how it continues.' });

export const finishRequestSchema = z
  .object({
    state: z.enum(ATTEMPT_END_STATES).meta({
      description:
        'How the attempt ends. failed and up_for_retry become up_for_retry while tries are left, failed after the last; ' +
        'up_for_reschedule (needs rescheduleDate) and deferred (needs deferral) park the same try without holding a worker.',
    }),
    workerId,
    endDate: instant,
    retryable: z
      .boolean()
      .default(true)
      .meta({ description: 'false for a failure that must not be retried (FailNoRetry); ignored unless state is failed.' }),
    returnValue: z
      .unknown()
      .optional()
      .meta({ description: 'Pushed as the return_value XCom on success. Absent pushes nothing; null is a value.' }),
    error: z.string().optional().meta({ description: 'A short description of the failure, for the task instance.' }),
    assetEvents: z
      .array(assetEventSchema)
      .max(1000)
      .optional()
      .meta({ description: 'With success only: the assets the attempt updated, recorded as asset events in the same call.' }),
    rescheduleDate: instant.optional().meta({ description: 'With up_for_reschedule only: when to try the same attempt again.' }),
    firstRescheduleDate: instant.optional().meta({
      description: "Since 2026-11-23. With up_for_reschedule only: when the try first poked; a sensor's timeout counts from it.",
    }),
    deferral: deferralSchema.optional().meta({ description: 'With deferred only: the trigger to wait for.' }),
  })
  .meta({ description: 'Ends the attempt, or parks it until a reschedule date or a trigger.' });

// Deferral: what the triggerer reports about a deferred attempt's trigger.
const evaluatedTriggerSchema = z
  .object({ kind: z.string().min(1), kwargs: jsonObject.default({}) })
  .optional()
  .meta({ description: 'The trigger that was evaluated; refused with 409 when the attempt now waits for another one.' });

export const triggerEventRequestSchema = z
  .object({
    event: z.unknown().meta({ description: "The trigger's event payload (any JSON); the resumed task reads it as ctx.resume.event." }),
    trigger: evaluatedTriggerSchema,
  })
  .meta({ description: 'A trigger fired: the deferred attempt resumes (same try).' });

export const triggerFailureRequestSchema = z
  .object({
    error: z.string().min(1).max(4000).meta({ description: 'What went wrong, for the task instance and the logs.' }),
    trigger: evaluatedTriggerSchema,
  })
  .meta({ description: 'A trigger failed: the deferred attempt fails (retries apply).' });

export function parseTriggerEventRequest(body: unknown): z.output<typeof triggerEventRequestSchema> {
  const parsed = parseWith(triggerEventRequestSchema, body);
  return { ...parsed, event: isObject(body) && Object.hasOwn(body, 'event') ? body.event : null };
}

export function parseTriggerFailureRequest(body: unknown): z.output<typeof triggerFailureRequestSchema> {
  return parseWith(triggerFailureRequestSchema, body);
}

export const skipDownstreamRequestSchema = z
  .object({
    tasks: z
      .array(
        z.union([
          z.string().min(1).meta({ description: 'A task id (its unmapped instance, map index -1).' }),
          z.tuple([z.string().min(1), z.number().int().min(-1)]).meta({ description: '[task id, map index].' }),
        ]),
      )
      .max(10_000),
  })
  .meta({ description: "Task instances of the caller's run to mark skipped; each must be downstream of the caller." });

export function parseSkipDownstreamRequest(body: unknown): SkipDownstreamRequest {
  return parseWith(skipDownstreamRequestSchema, body);
}

export const xcomValueRequestSchema = z
  .object({ value: z.unknown().meta({ description: 'Any JSON value, null included.' }) })
  ;

export function parseStartRequest(body: unknown): StartAttemptRequest {
  return parseWith(startRequestSchema, body);
}

export function parseHeartbeatRequest(body: unknown): HeartbeatRequest {
  return parseWith(heartbeatRequestSchema, body);
}

export function parseFinishRequest(body: unknown): FinishAttemptRequest {
  const parsed = parseWith(finishRequestSchema, body);
  const request: FinishAttemptRequest = {
    state: parsed.state,
    workerId: parsed.workerId,
    endDate: parsed.endDate,
    retryable: parsed.retryable,
  };
  // An absent returnValue pushes nothing; an explicit null is a value (Airflow pushes None).
  if (isObject(body) && Object.hasOwn(body, 'returnValue')) request.returnValue = parsed.returnValue;
  if (parsed.error !== undefined) request.error = parsed.error;
  if (parsed.assetEvents !== undefined) request.assetEvents = parsed.assetEvents;
  if (parsed.rescheduleDate !== undefined) request.rescheduleDate = parsed.rescheduleDate;
  if (parsed.firstRescheduleDate !== undefined) request.firstRescheduleDate = parsed.firstRescheduleDate;
  if (parsed.deferral !== undefined) request.deferral = parsed.deferral;
  return request;
}

const dagRunStatesQuerySchema = z.object({
  logicalDate: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  taskIds: z.string().optional(),
});

/** `?logicalDate=<iso>&taskIds=a,b` of getDagRunStates; empty task ids are dropped. */
export function parseDagRunStatesQuery(query: Record<string, string | undefined>): { logicalDate: Date; taskIds: string[] | null } {
  const parsed = parseWith(dagRunStatesQuerySchema, query);
  const taskIds = (parsed.taskIds ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
  return { logicalDate: parsed.logicalDate, taskIds: taskIds.length > 0 ? taskIds : null };
}

export function parseXComValue(body: unknown): unknown {
  // zod treats a missing key of an unknown-typed field as present, so the presence check is by hand.
  if (!isObject(body) || !Object.hasOwn(body, 'value')) {
    throw new ValidationError('The request body must be an object with a "value" field holding any JSON value (null included).', 'value');
  }
  return body.value;
}

export const variableValueRequestSchema = z
  .strictObject({
    value: z.string().meta({ description: 'Variables are strings, as in Airflow; serialise structured values as JSON.' }),
    description: z.string().nullable().optional(),
  })
  .meta({ description: 'A variable to store in the metastore.' });

export function parseVariableValue(body: unknown): z.output<typeof variableValueRequestSchema> {
  return parseWith(variableValueRequestSchema, body);
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
