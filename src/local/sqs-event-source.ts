import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { ConfigError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/ports/logger.ts';

/**
 * Local mode's stand-in for Lambda's SQS event source mapping: it polls the task queue and invokes the
 * worker handler with the event Lambda would build, then deletes what Lambda would delete. Failed
 * messages are left alone, so redelivery and the DLQ come from the queue's own settings, as in AWS.
 */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: SqsBatchHandler;
  /** Messages per invocation, 1..10 (no batching window). */
  batchSize?: number;
  /**
   * Pollers. Each receives up to 10 messages per ReceiveMessage, as Lambda's pollers do, and invokes the
   * handler once per `batchSize` of them, all at once; so up to `concurrency` × 10 ÷ `batchSize`
   * invocations run together.
   */
  concurrency?: number;
  /** Long-poll wait, 0..20; it bounds how long an idle poller takes to notice stop(). */
  waitTimeSeconds?: number;
  logger?: Logger;
  /** For the Context: the function name and the timeout getRemainingTimeInMillis counts down from. */
  functionName?: string;
  timeoutSeconds?: number;
}

const RECEIVE_ERROR_BACKOFF_MS = 1000;

/** SQS's most messages per ReceiveMessage. */
const MAX_RECEIVE_MESSAGES = 10;

export class SqsEventSource {
  private readonly options: Required<Omit<SqsEventSourceOptions, 'logger'>> & { logger: Logger };
  private readonly accountId: string;
  private pollers: Array<Promise<void>> = [];
  private abort: AbortController | null = null;

  constructor(options: SqsEventSourceOptions) {
    const batchSize = options.batchSize ?? 10;
    const concurrency = options.concurrency ?? 1;
    const waitTimeSeconds = options.waitTimeSeconds ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new ConfigError(`SQS event source batchSize must be an integer from 1 to 10; got ${batchSize}.`);
    }
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConfigError(`SQS event source concurrency must be a positive integer; got ${concurrency}.`);
    }
    if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) {
      throw new ConfigError(`SQS event source waitTimeSeconds must be an integer from 0 to 20; got ${waitTimeSeconds}.`);
    }
    this.options = {
      ...options,
      batchSize,
      concurrency,
      waitTimeSeconds,
      logger: options.logger ?? silentLogger,
      functionName: options.functionName ?? 'updraft-worker',
      timeoutSeconds: options.timeoutSeconds ?? 900,
    };
    this.accountId = options.queueArn.split(':')[4] || '000000000000';
  }

  get running(): boolean {
    return this.abort !== null;
  }

  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    this.pollers = Array.from({ length: this.options.concurrency }, () => this.poll(abort.signal));
  }

  /** Stops receiving; resolves once every in-flight invocation has finished and its deletes are done. */
  async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    abort.abort();
    await Promise.all(this.pollers);
    this.pollers = [];
    this.abort = null;
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const { client, queueUrl, batchSize, waitTimeSeconds, logger } = this.options;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const response = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: MAX_RECEIVE_MESSAGES,
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: signal },
        );
        messages = response.Messages ?? [];
      } catch (error) {
        if (signal.aborted) return;
        logger.error('SQS event source could not receive; retrying', { queueUrl, error: String(error) });
        await abortableDelay(RECEIVE_ERROR_BACKOFF_MS, signal);
        continue;
      }
      // Once received, a batch is always handled, even if stop() was called meanwhile: dropping it
      // would hide the messages for a whole visibility timeout.
      if (messages.length > 0) {
        const invocations: Message[][] = [];
        for (let start = 0; start < messages.length; start += batchSize) invocations.push(messages.slice(start, start + batchSize));
        await Promise.all(invocations.map((batch) => this.invoke(batch)));
      }
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { handler, logger, queueUrl } = this.options;
    const records = messages.map((message) => this.toRecord(message));
    const context = this.context();
    let result: SQSBatchResponse | void;
    try {
      result = await handler({ Records: records }, context);
    } catch (error) {
      logger.error('SQS handler failed; the whole batch will be redelivered after its visibility timeout', {
        queueUrl,
        messageIds: records.map((r) => r.messageId),
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const failed = failedMessageIds(result, records);
    if (failed === 'all') {
      logger.error('SQS handler returned an invalid batch response; the whole batch counts as failed', {
        queueUrl,
        response: safeJson(result),
      });
      return;
    }
    await this.deleteRecords(records.filter((record) => !failed.has(record.messageId)));
  }

  private async deleteRecords(records: SQSRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { client, queueUrl, logger } = this.options;
    try {
      const response = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: records.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      for (const failure of response.Failed ?? []) {
        const record = records[Number(failure.Id)];
        logger.warn('SQS event source could not delete a handled message; it will be delivered again', {
          queueUrl,
          messageId: record?.messageId,
          reason: failure.Message ?? failure.Code,
        });
      }
    } catch (error) {
      logger.warn('SQS event source could not delete handled messages; they will be delivered again', {
        queueUrl,
        error: String(error),
      });
    }
  }

  private toRecord(message: Message): SQSRecord {
    const system = message.Attributes ?? {};
    const attributes: SQSRecordAttributes = {
      ...system,
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? this.accountId,
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    };
    const record: SQSRecord = {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes,
      messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
    if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
    return record;
  }

  private context(): Context {
    const { functionName, region, timeoutSeconds } = this.options;
    const requestId = randomUUID();
    const deadline = Date.now() + timeoutSeconds * 1000;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${this.accountId}:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }
}

/** Lambda's shape: camelCase keys, binary as base64, and the (unused) list fields always present. */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return converted;
}

/**
 * Lambda's partial batch response rules: nothing, null or an empty list means all succeeded; an
 * identifier that is empty or names no message in the batch fails the whole batch.
 */
function failedMessageIds(result: unknown, records: SQSRecord[]): Set<string> | 'all' {
  if (result === undefined || result === null) return new Set();
  if (typeof result !== 'object') return 'all';
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const inBatch = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !inBatch.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
