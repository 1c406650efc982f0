import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  defaultNotificationText,
  defaultRunNotificationText,
  NotifierError,
  type DagRunCallbackContext,
  type DagRunCallbackInfo,
  type SnsDelivery,
  type SnsText,
  type TaskCallbackInfo,
  type TaskContext,
} from '../../sdk/index.ts';

export interface SnsPublishRequest {
  topicArn: string;
  region: string;
  subject: string;
  message: string;
}

/** Publishes one notification; answers SNS's message id. */
export type SnsPublish = (request: SnsPublishRequest) => Promise<{ messageId: string | null }>;

/** SNS's limit on a subject, which must also be printable ASCII on one line. */
const MAX_SUBJECT = 100;
/** SNS's limit on a message (256 KiB); a longer text is cut, not refused. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * The worker's publisher: one client per region, made on first use and kept for the container's life
 * (a worker that never publishes never builds one). Credentials are the worker role's.
 */
export function createSnsPublish(clientFor: (region: string) => Pick<SNSClient, 'send'> = defaultClientFor): SnsPublish {
  return async ({ topicArn, region, subject, message }) => {
    const response = await clientFor(region).send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    return { messageId: response.MessageId ?? null };
  };
}

const clients = new Map<string, SNSClient>();
function defaultClientFor(region: string): SNSClient {
  let client = clients.get(region);
  if (!client) {
    client = new SNSClient({ region });
    clients.set(region, client);
  }
  return client;
}

let sharedPublish: SnsPublish | null = null;
/** The process-wide publisher callbacks use unless a test hands them another. */
export function defaultSnsPublish(): SnsPublish {
  sharedPublish ??= createSnsPublish();
  return sharedPublish;
}

type Event =
  | { ctx: TaskContext; info: TaskCallbackInfo }
  | { ctx: DagRunCallbackContext; info: DagRunCallbackInfo };

/**
 * Publishes an `snsNotifier`'s notification for a task or DAG-run event. Failures become a
 * NotifierError that says what to fix (the caller logs it; it never changes a state).
 */
export async function deliverSns(delivery: SnsDelivery, event: Event, publish: SnsPublish): Promise<void> {
  const message = truncateBytes(textOf(delivery.message, event) ?? defaultText(event), MAX_MESSAGE_BYTES);
  const subject = cleanSubject(textOf(delivery.subject, event) ?? defaultSubject(event));
  try {
    await publish({ topicArn: delivery.topicArn, region: delivery.region, subject, message });
  } catch (error) {
    throw new NotifierError(publishFailure(delivery.topicArn, error), { cause: error });
  }
}

function textOf(text: SnsText | undefined, { ctx, info }: Event): string | undefined {
  if (text === undefined) return undefined;
  return typeof text === 'string' ? text : text(ctx, info);
}

function defaultText(event: Event): string {
  return 'taskId' in event.ctx
    ? defaultNotificationText(event.ctx, event.info as TaskCallbackInfo)
    : defaultRunNotificationText(event.ctx, event.info as DagRunCallbackInfo);
}

function defaultSubject(event: Event): string {
  if ('taskId' in event.ctx) return `Updraft: ${event.ctx.dagId}.${event.ctx.taskId} ${event.info.state}`;
  const info = event.info as DagRunCallbackInfo;
  const late = (event.ctx as DagRunCallbackContext).taskInstance;
  if (info.event === 'deadline' && late) return `Updraft: ${event.ctx.dagId}.${late.taskId} missed its deadline`;
  return info.event === 'deadline'
    ? `Updraft: DAG ${event.ctx.dagId} missed its deadline`
    : `Updraft: DAG ${event.ctx.dagId} run ${info.state}`;
}

/** SNS refuses a subject with line breaks or non-ASCII characters: replace them rather than lose the notification. */
function cleanSubject(subject: string): string {
  const cleaned = subject.replace(/[^\x20-\x7e]/g, '?').trim();
  const within = cleaned.length > MAX_SUBJECT ? `${cleaned.slice(0, MAX_SUBJECT - 3)}...` : cleaned;
  return within === '' ? 'Updraft notification' : within;
}

function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return `${bytes.subarray(0, maxBytes - 3).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

function publishFailure(topicArn: string, error: unknown): string {
  const name = (error as { name?: string }).name ?? 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const base = `snsNotifier: publishing to ${topicArn} failed (${name}: ${detail}).`;
  switch (name) {
    case 'AuthorizationErrorException':
    case 'AuthorizationError':
      return `${base} The worker's role may not publish to this topic: add its ARN to the stack's notificationTopicArns context value and deploy.`;
    case 'NotFoundException':
    case 'NotFound':
      return `${base} The topic does not exist in ${topicArn.split(':')[3]}: check the ARN (account, region, name).`;
    case 'KMSAccessDeniedException':
    case 'KMSDisabledException':
    case 'KMSNotFoundException':
      return `${base} The topic is encrypted with a KMS key the worker cannot use: allow the worker role kms:GenerateDataKey and kms:Decrypt on it.`;
    default:
      return `${base} Check the topic and the worker's network access to SNS.`;
  }
}
