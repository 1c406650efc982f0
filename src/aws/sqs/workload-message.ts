import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { ExecuteTaskWorkload, RunDagCallbackWorkload, Workload } from '../../core/model/workload.ts';

const nonEmpty = z.string().min(1);

// Unknown keys are dropped, not rejected: during a rolling deploy a newer scheduler may add fields.
const workloadSchema = z.object({
  kind: z.literal('ExecuteTask'),
  ti: z.object({
    dagId: nonEmpty,
    runId: nonEmpty,
    taskId: nonEmpty,
    mapIndex: z.number().int().min(-1),
    tryNumber: z.number().int().min(1),
  }),
  versionId: nonEmpty,
  bundleKey: nonEmpty,
  logKey: nonEmpty,
  token: nonEmpty,
  queuedAt: z.iso.datetime({ offset: true }),
  // A delayed delivery of a rescheduled try names the reschedule date it was sent for.
  rescheduleDate: z.iso.datetime({ offset: true }).optional(),
});

const isoInstant = z.iso.datetime({ offset: true });

const dagCallbackSchema = z.object({
  kind: z.literal('RunDagCallback'),
  dagId: nonEmpty,
  runId: nonEmpty,
  versionId: nonEmpty,
  bundleKey: nonEmpty,
  event: z.enum(['success', 'failure', 'deadline']),
  reason: nonEmpty,
  token: nonEmpty,
  run: z.object({
    state: nonEmpty,
    runType: nonEmpty,
    logicalDate: isoInstant,
    dataIntervalStart: isoInstant,
    dataIntervalEnd: isoInstant,
    queuedAt: isoInstant,
    startDate: isoInstant.nullable(),
    endDate: isoInstant.nullable(),
    conf: z.record(z.string(), z.unknown()),
  }),
  deadlineAt: isoInstant.optional(),
  // A task's deadline alert names the instance.
  task: z
    .object({ taskId: nonEmpty, mapIndex: z.number().int().min(-1), tryNumber: z.number().int().min(0), state: nonEmpty })
    .optional(),
  sentAt: isoInstant,
});

/** Either kind of worker message, told apart by `kind`. */
const workerMessageSchema = z.discriminatedUnion('kind', [workloadSchema, dagCallbackSchema]);

/**
 * The worker Lambda's side: a task attempt or a DAG-run callback. The container entry keeps to
 * `parseWorkloadMessage`, because the fargate executor is never sent callbacks.
 */
export function parseWorkerMessage(body: string): Workload {
  return parseWith(workerMessageSchema, body, 'a task workload or a DAG callback');
}

/** The message body of a DAG-run callback: exactly the workload, as JSON. */
export function serializeDagCallbackMessage(workload: RunDagCallbackWorkload): string {
  return JSON.stringify(workload);
}

/** The message body a lambda-executor worker receives: exactly the workload, as JSON. */
export function serializeWorkloadMessage(workload: ExecuteTaskWorkload): string {
  return JSON.stringify(workload);
}

/**
 * The worker side of the SQS executor. A body that is not a workload means a producer of another version
 * or a hand-sent message; the error names the field so the message can be found and fixed in the DLQ.
 */
export function parseWorkloadMessage(body: string): ExecuteTaskWorkload {
  return parseWith(workloadSchema, body, 'a task workload');
}

function parseWith<T>(schema: z.ZodType<T>, body: string, expected: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(
      `The SQS message body is not JSON (${(error as Error).message}); ${expected} was expected. ` +
        'Only Updraft\'s scheduler should send to the task queue.',
      null,
      { cause: error },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    throw new ValidationError(
      `The SQS message body is not ${expected === 'a task workload' ? 'a valid task workload' : `${expected}`}: ${field ?? '(body)'}: ${issue?.message ?? 'invalid'}. ` +
        'Check that the scheduler and the worker run the same Updraft version.',
      field,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
