import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Deliveries before a message moves to the dead-letter queue (local mode uses the same number). */
export const TASK_QUEUE_MAX_RECEIVE_COUNT = 5;

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;

/**
 * Lambda refuses an SQS event source whose visibility timeout is shorter than the function's timeout, and
 * AWS advises six times the timeout so that a batch throttled and retried by the poller is not delivered
 * twice meanwhile. A message hidden longer costs nothing here: the scheduler re-queues a task that stays
 * queued too long, and the runner's start call refuses a second delivery of an attempt.
 */
export function taskQueueVisibilityTimeout(workerTimeoutSeconds: number): Duration {
  return Duration.seconds(Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, 6 * workerTimeoutSeconds));
}

export interface TaskQueueProps {
  visibilityTimeout: Duration;
}

/** The lambda executor's queue of task workloads, with a dead-letter queue for poison messages. */
export class TaskQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: TaskQueueProps = { visibilityTimeout: taskQueueVisibilityTimeout(900) }) {
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
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: TASK_QUEUE_MAX_RECEIVE_COUNT },
    });
  }
}
