import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * A worker Lambda runs for up to ~15 minutes; a message must stay invisible for longer than that, or a
 * second worker would receive a task that is still running.
 */
export const TASK_QUEUE_VISIBILITY_TIMEOUT = Duration.minutes(16);

/** Deliveries before a message moves to the dead-letter queue (local mode uses the same number). */
export const TASK_QUEUE_MAX_RECEIVE_COUNT = 5;

/** The lambda executor's queue of task workloads, with a dead-letter queue for poison messages. */
export class TaskQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: dead letters wait for a person to look at them.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: TASK_QUEUE_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: TASK_QUEUE_MAX_RECEIVE_COUNT },
    });
  }
}
