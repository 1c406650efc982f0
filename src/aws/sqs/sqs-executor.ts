import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UpdraftError } from '../../core/errors.ts';
import type { ExecuteTaskWorkload, RunDagCallbackWorkload } from '../../core/model/workload.ts';
import { BaseExecutor, type BaseExecutorOptions } from '../../core/executors/base-executor.ts';
import type { ExecutorCapabilities, QueueOptions } from '../../core/ports/executor.ts';
import { serializeDagCallbackMessage, serializeWorkloadMessage } from './workload-message.ts';

/** SQS would not take the workload; the attempt was not queued and the caller may retry. */
export class QueueSendError extends UpdraftError {
  readonly queueUrl: string;

  constructor(queueUrl: string, message: string, options?: { cause?: unknown }) {
    super('queue_send_failed', message, options);
    this.queueUrl = queueUrl;
  }
}

export interface SqsExecutorOptions extends Partial<BaseExecutorOptions> {
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

/** SendMessageBatch takes at most ten entries, and at most 1 MiB in all; 256 KiB keeps well inside. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 256 * 1024;

interface PendingSend {
  workload: ExecuteTaskWorkload;
  body: string;
  delaySeconds: number;
  resolve: () => void;
  reject: (error: QueueSendError) => void;
}

/**
 * The `lambda` executor: one SQS message per attempt, consumed by the worker Lambda through its event
 * source mapping. The attributes let operators filter and inspect the queue without parsing bodies.
 *
 * Sends made in the same turn of the event loop go out together as SendMessageBatch requests (a fan-out
 * of 500 tasks is 50 requests, not 500); a lone send waits for nothing but that turn.
 */
export class SqsExecutor extends BaseExecutor {
  readonly capabilities: ExecutorCapabilities = {
    isLocal: false,
    isProduction: true,
    supportsCallbacks: false,
    servesLogs: false,
    supportsDelayedStart: true,
  };
  /** The worker function's reserved concurrency is the parallelism; the queue holds what waits. */
  protected override readonly queuesPastParallelism = true;
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private pending: PendingSend[] = [];

  constructor(options: SqsExecutorOptions) {
    super({ ...options, name: options.name ?? 'lambda' });
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  /**
   * SQS delivers at least once and the worker Lambda's reserved concurrency bounds how many run at once,
   * so the queue itself is the executor's state: nothing to learn in `sync`, everything can be adopted
   * (the defaults), and a running attempt is stopped by its next refused heartbeat.
   */
  protected executeAsync(workload: ExecuteTaskWorkload, options: QueueOptions): Promise<{ externalId: string | null }> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({
        workload,
        body: serializeWorkloadMessage(workload),
        delaySeconds: clampDelaySeconds(options.delaySeconds),
        // An SQS message id can neither find nor cancel a message, so it is not worth a metastore write
        // on the task-to-task hot path; the attempt is traced by its task instance key instead.
        resolve: () => resolve({ externalId: null }),
        reject,
      });
    });
  }

  /**
   * A DAG-run callback goes on the same queue, outside the slots: the worker function runs it as it
   * runs tasks, and nothing here tracks it (see DagCallbackSender).
   */
  async sendDagCallback(workload: RunDagCallbackWorkload): Promise<void> {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: serializeDagCallbackMessage(workload),
          MessageAttributes: {
            kind: attribute(workload.kind),
            dag_id: attribute(workload.dagId),
            run_id: attribute(workload.runId),
            event: attribute(workload.event),
          },
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new QueueSendError(
        this.queueUrl,
        `Could not queue the ${workload.event} callback of DAG run ${workload.dagId}/${workload.runId} on SQS queue ${this.queueUrl}: ` +
          `${reason}. Check that the queue exists and that this role may send to it.`,
        { cause: error },
      );
    }
  }

  private async flush(): Promise<void> {
    const sends = this.pending;
    this.pending = [];
    const batches: PendingSend[][] = [];
    let batch: PendingSend[] = [];
    let bytes = 0;
    for (const send of sends) {
      if (batch.length === BATCH_ENTRIES || (batch.length > 0 && bytes + send.body.length > BATCH_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(send);
      bytes += send.body.length;
    }
    if (batch.length > 0) batches.push(batch);
    await Promise.all(batches.map((entries) => this.sendBatch(entries)));
  }

  private async sendBatch(entries: PendingSend[]): Promise<void> {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      const response = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: entries.map(({ workload: { ti }, body, delaySeconds }, index) => ({
            Id: String(index),
            MessageBody: body,
            DelaySeconds: delaySeconds,
            MessageAttributes: {
              dag_id: attribute(ti.dagId),
              run_id: attribute(ti.runId),
              task_id: attribute(ti.taskId),
              try_number: attribute(String(ti.tryNumber)),
            },
          })),
        }),
      );
      const failed = new Map((response.Failed ?? []).map((failure) => [failure.Id, failure]));
      entries.forEach((entry, index) => {
        const failure = failed.get(String(index));
        if (failure) entry.reject(this.sendError(entry.workload, `${failure.Code}: ${failure.Message ?? 'no message'}`));
        else entry.resolve();
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const entry of entries) entry.reject(this.sendError(entry.workload, reason, error));
    }
  }

  private sendError(workload: ExecuteTaskWorkload, reason: string, cause?: unknown): QueueSendError {
    const { ti } = workload;
    return new QueueSendError(
      this.queueUrl,
      `Could not queue task ${ti.dagId}/${ti.runId}/${ti.taskId} (try ${ti.tryNumber}) on SQS queue ` +
        `${this.queueUrl}: ${reason}. Check that the queue exists and that this role may send to it; ` +
        'the scheduler will try again on its next tick.',
      cause === undefined ? undefined : { cause },
    );
  }
}

export { parseWorkloadMessage } from './workload-message.ts';
