import type { TaskCallbackInfo } from './callbacks.ts';
import type { TaskContext } from './context.ts';
import type { DagRunCallbackContext, DagRunCallbackInfo, RunNotifier } from './dag-callbacks.ts';
import { DagDefinitionError, NotifierError } from './errors.ts';

/**
 * Text of an SNS notification: fixed, or computed from the event. A task callback gets a `TaskContext`
 * (with `taskId`), a DAG-run callback a `DagRunCallbackContext`; tell them apart with `'taskId' in ctx`.
 *
 * @example
 * ```ts
 * const message: SnsText = (ctx, info) => ('taskId' in ctx ? `${ctx.taskId} failed` : `${ctx.runId}: ${info.state}`);
 * ```
 */
export type SnsText =
  | string
  | ((ctx: TaskContext | DagRunCallbackContext, info: TaskCallbackInfo | DagRunCallbackInfo) => string);

/**
 * Options of `snsNotifier`.
 *
 * @example
 * ```ts
 * const options: SnsNotifierOptions = { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', subject: 'ETL alert' };
 * ```
 */
export interface SnsNotifierOptions {
  /** The topic to publish to. The worker's role may publish only to topics the stack allows (`notificationTopicArns`). */
  topicArn: string;
  /** The email subject (at most 100 printable ASCII characters); default: the DAG, run and state. */
  subject?: SnsText;
  /** The message; default: the same text httpNotifier sends. */
  message?: SnsText;
  /** The topic's region; default: the region in `topicArn`. */
  region?: string;
}

/**
 * What the task runner reads to publish: the SDK imports nothing from AWS, so the worker, which has
 * the AWS SDK and the role, does the publishing.
 *
 * @example
 * ```ts
 * const delivery: SnsDelivery = { kind: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', region: 'eu-west-1' };
 * ```
 */
export interface SnsDelivery {
  readonly kind: 'sns';
  readonly topicArn: string;
  readonly region: string;
  readonly subject?: SnsText;
  readonly message?: SnsText;
}

/** An SNS notifier: a notifier for task and DAG-run events that carries its delivery for the runner. */
export interface SnsNotifier extends RunNotifier {
  readonly delivery: SnsDelivery;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** SNS refuses subjects with line breaks, non-ASCII characters or over 100 characters. */
const SUBJECT = /^[\x20-\x7e]{1,100}$/;

/**
 * A notifier that publishes to an Amazon SNS topic (email, SMS, chat bots, other queues subscribe to
 * it). Use it as a task callback or a DAG-run callback. The worker publishes with its own role: deploy
 * the stack with the topic in `notificationTopicArns`. A publish that fails (no permission, no such
 * topic) is logged and never changes a state.
 *
 * @example
 * ```ts
 * import { dag, snsNotifier, task } from 'updraft/sdk';
 *
 * const alerts = snsNotifier({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:etl-alerts' });
 * export default dag({ dagId: 'etl', onFailure: alerts, defaultArgs: { onRetry: alerts } }, () => { load(); });
 * ```
 */
export function snsNotifier(options: SnsNotifierOptions): SnsNotifier {
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError("snsNotifier(options) needs an object such as { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' }.");
  }
  const { topicArn, subject, message, region } = options;
  const match = typeof topicArn === 'string' ? TOPIC_ARN.exec(topicArn) : null;
  if (!match) {
    throw new DagDefinitionError(
      `snsNotifier: topicArn must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:alerts, got ${JSON.stringify(topicArn)}.`,
    );
  }
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))) {
    throw new DagDefinitionError(`snsNotifier: region must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}.`);
  }
  if (subject !== undefined && typeof subject !== 'function' && (typeof subject !== 'string' || !SUBJECT.test(subject))) {
    throw new DagDefinitionError('snsNotifier: subject must be 1 to 100 printable ASCII characters without line breaks (SNS refuses others), or a function.');
  }
  if (message !== undefined && typeof message !== 'function' && (typeof message !== 'string' || message === '')) {
    throw new DagDefinitionError('snsNotifier: message must be a non-empty string or a function (ctx, info) => string.');
  }
  const delivery: SnsDelivery = Object.freeze({
    kind: 'sns' as const,
    topicArn: topicArn as string,
    region: region ?? (match[1] as string),
    ...(subject === undefined ? {} : { subject }),
    ...(message === undefined ? {} : { message }),
  });
  const notRunByWorker = () => {
    throw new NotifierError(
      'snsNotifier publishes from an Updraft worker, which holds the AWS SDK and the role; it cannot publish from here. ' +
        'Use it as a callback of a task or a DAG.',
    );
  };
  return Object.freeze({ name: `snsNotifier(${(topicArn as string).split(':').pop()})`, delivery, notify: notRunByWorker, notifyRun: notRunByWorker });
}

/**
 * The SNS delivery of a notifier made by `snsNotifier` (any copy of the SDK), or null.
 *
 * @example
 * ```ts
 * snsDeliveryOf(snsNotifier({ topicArn }))?.topicArn;
 * ```
 */
export function snsDeliveryOf(value: unknown): SnsDelivery | null {
  if (typeof value !== 'object' || value === null) return null;
  const delivery = (value as { delivery?: Partial<SnsDelivery> }).delivery;
  return delivery?.kind === 'sns' && typeof delivery.topicArn === 'string' && typeof delivery.region === 'string'
    ? (delivery as SnsDelivery)
    : null;
}
