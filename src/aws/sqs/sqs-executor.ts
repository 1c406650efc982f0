import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UpdraftError } from '../../core/errors.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';
import type { Executor } from '../../core/ports/executor.ts';
import { serializeWorkloadMessage } from './workload-message.ts';

/** SQS would not take the workload; the attempt was not queued and the caller may retry. */
export class QueueSendError extends UpdraftError {
  readonly queueUrl: string;

  constructor(queueUrl: string, message: string, options?: { cause?: unknown }) {
    super('queue_send_failed', message, options);
    this.queueUrl = queueUrl;
  }
}

export interface SqsExecutorOptions {
  client: SQSClient;
  queueUrl: string;
  /** The name tasks use to pick this executor; 'lambda' unless several SQS executors are configured. */
  name?: string;
}

/** SQS accepts DelaySeconds from 0 to 900 (15 minutes). */
export const MAX_SQS_DELAY_SECONDS = 900;

export function clampDelaySeconds(delaySeconds: number | undefined): number {
  if (delaySeconds === undefined || !Number.isFinite(delaySeconds)) return 0;
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}

/**
 * The `lambda` executor: one SQS message per attempt, consumed by the worker Lambda through its event
 * source mapping. The attributes let operators filter and inspect the queue without parsing bodies.
 */
export class SqsExecutor implements Executor {
  readonly name: string;
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: SqsExecutorOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.name = options.name ?? 'lambda';
  }

  async queueWorkload(
    workload: ExecuteTaskWorkload,
    options: { delaySeconds?: number } = {},
  ): Promise<{ externalId: string | null }> {
    const { ti } = workload;
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: serializeWorkloadMessage(workload),
          DelaySeconds: clampDelaySeconds(options.delaySeconds),
          MessageAttributes: {
            dag_id: attribute(ti.dagId),
            run_id: attribute(ti.runId),
            task_id: attribute(ti.taskId),
            try_number: attribute(String(ti.tryNumber)),
          },
        }),
      );
      // An SQS message id can neither find nor cancel a message, so it is not worth a metastore write on
      // the task-to-task hot path; the attempt is traced by its task instance key instead.
      return { externalId: null };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new QueueSendError(
        this.queueUrl,
        `Could not queue task ${ti.dagId}/${ti.runId}/${ti.taskId} (try ${ti.tryNumber}) on SQS queue ` +
          `${this.queueUrl}: ${reason}. Check that the queue exists and that this role may send to it; ` +
          'the scheduler will try again on its next tick.',
        { cause: error },
      );
    }
  }
}

export { parseWorkloadMessage } from './workload-message.ts';
