import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';

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
});

/** The message body a lambda-executor worker receives: exactly the workload, as JSON. */
export function serializeWorkloadMessage(workload: ExecuteTaskWorkload): string {
  return JSON.stringify(workload);
}

/**
 * The worker side of the SQS executor. A body that is not a workload means a producer of another version
 * or a hand-sent message; the error names the field so the message can be found and fixed in the DLQ.
 */
export function parseWorkloadMessage(body: string): ExecuteTaskWorkload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(
      `The SQS message body is not JSON (${(error as Error).message}); a task workload was expected. ` +
        'Only Updraft\'s scheduler should send to the task queue.',
      null,
      { cause: error },
    );
  }
  const parsed = workloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    throw new ValidationError(
      `The SQS message body is not a valid task workload: ${field ?? '(body)'}: ${issue?.message ?? 'invalid'}. ` +
        'Check that the scheduler and the worker run the same Updraft version.',
      field,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
