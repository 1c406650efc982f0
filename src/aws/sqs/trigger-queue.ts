import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { UpdraftError, ValidationError } from '../../core/errors.ts';
import type { RunTriggersWorkload, TriggerQueue } from '../../core/ports/trigger-queue.ts';
import { clampDelaySeconds } from './sqs-executor.ts';

/** SQS would not take a trigger batch; its triggers are sent again by the next tick. */
export class TriggerQueueSendError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('trigger_queue_send_failed', message, options);
  }
}

const BATCH_ENTRIES = 10;

/** The trigger queue on SQS: each workload one message, sent ten to a SendMessageBatch. */
export class SqsTriggerQueue implements TriggerQueue {
  constructor(private readonly options: { client: SQSClient; queueUrl: string }) {}

  async send(workloads: readonly RunTriggersWorkload[], options: { delaySeconds?: number } = {}): Promise<void> {
    const delaySeconds = clampDelaySeconds(options.delaySeconds);
    const failures: string[] = [];
    const batches: RunTriggersWorkload[][] = [];
    for (let start = 0; start < workloads.length; start += BATCH_ENTRIES) batches.push(workloads.slice(start, start + BATCH_ENTRIES));
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const response = await this.options.client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.options.queueUrl,
              Entries: batch.map((workload, index) => ({
                Id: String(index),
                MessageBody: serializeTriggerMessage(workload),
                DelaySeconds: delaySeconds,
                MessageAttributes: { kind: { DataType: 'String', StringValue: workload.kind }, triggers: { DataType: 'Number', StringValue: String(workload.triggers.length) } },
              })),
            }),
          );
          for (const failure of response.Failed ?? []) failures.push(`${failure.Code}: ${failure.Message ?? 'no message'}`);
        } catch (error) {
          failures.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
      }),
    );
    if (failures.length > 0) {
      throw new TriggerQueueSendError(
        `Could not send ${failures.length} trigger batch(es) to SQS queue ${this.options.queueUrl}: ${failures[0]}. ` +
          'Check that the queue exists and that the scheduler may send to it; the next tick sends the triggers again.',
      );
    }
  }
}

const nonEmpty = z.string().min(1);
// Unknown keys are dropped: a newer scheduler may add fields during a rolling deploy.
const triggersMessageSchema = z.object({
  kind: z.literal('RunTriggers'),
  triggers: z.array(
    z.object({
      ti: z.object({ dagId: nonEmpty, runId: nonEmpty, taskId: nonEmpty, mapIndex: z.number().int().min(-1), tryNumber: z.number().int().min(1) }),
      trigger: z.object({ kind: nonEmpty, kwargs: z.record(z.string(), z.unknown()) }),
      token: nonEmpty,
      versionId: nonEmpty,
      bundleKey: nonEmpty,
    }),
  ),
  sentAt: z.iso.datetime({ offset: true }),
});

export function serializeTriggerMessage(workload: RunTriggersWorkload): string {
  return JSON.stringify(workload);
}

/** The triggerer side: a body that is not a trigger batch names the field, so it can be found in the DLQ. */
export function parseTriggerMessage(body: string): RunTriggersWorkload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(`The trigger queue message is not JSON (${(error as Error).message}); only the scheduler sends to this queue.`, null, {
      cause: error,
    });
  }
  const parsed = triggersMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    throw new ValidationError(
      `The trigger queue message is not a RunTriggers batch: ${field ?? '(body)'}: ${issue?.message ?? 'invalid'}. ` +
        'Check that the scheduler and the triggerer run the same Updraft version.',
      field,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
