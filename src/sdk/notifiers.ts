import type { TaskCallbackInfo } from './callbacks.ts';
import { defaultRunNotificationText, type DagRunCallbackContext, type DagRunCallbackInfo, type RunNotifier } from './dag-callbacks.ts';
import type { TaskContext } from './context.ts';
import { DagDefinitionError, NotifierError } from './errors.ts';

/**
 * Options of `httpNotifier`. Give exactly one of `url` and `connId`.
 *
 * @example
 * ```ts
 * const options: HttpNotifierOptions = { connId: 'slack_alerts', message: (ctx, info) => `${ctx.taskId} ${info.state}` };
 * ```
 */
export interface HttpNotifierOptions {
  /** The webhook URL, e.g. a Slack incoming webhook. It is part of the DAG file: prefer `connId` for secret URLs. */
  url?: string;
  /**
   * A connection whose `extra.webhook_url` holds the webhook URL, read when the notifier runs, e.g.
   * `UPDRAFT_CONN_SLACK_ALERTS='{"conn_type":"http","extra":{"webhook_url":"https://hooks.slack.com/services/..."}}'`.
   */
  connId?: string;
  /** The text to send (default: DAG, run, task, try, state and error). */
  message?: (ctx: TaskContext, info: TaskCallbackInfo) => string;
  /** Extra request headers (e.g. an authorization header). */
  headers?: Record<string, string>;
  /** The text for DAG-run events (DAG `onSuccess`/`onFailure`, deadlines); default: DAG, run, state and reason. */
  runMessage?: (ctx: DagRunCallbackContext, info: DagRunCallbackInfo) => string;
}

/**
 * The text `httpNotifier` sends unless given a `message`.
 *
 * @example
 * ```ts
 * defaultNotificationText(ctx, info);
 * // 'Task load of DAG etl, run scheduled__2025-01-01T00:00:00+00:00, try 2 of 3: failed. Error: ValueError: bad row'
 * ```
 */
export function defaultNotificationText(ctx: TaskContext, info: TaskCallbackInfo): string {
  const mapped = ctx.mapIndex >= 0 ? ` [${ctx.mapIndex}]` : '';
  const text = `Task ${ctx.taskId}${mapped} of DAG ${ctx.dagId}, run ${ctx.runId}, try ${ctx.tryNumber} of ${info.maxTries}: ${info.state}.`;
  return info.error ? `${text} Error: ${info.error}` : text;
}

/**
 * A notifier that POSTs `{ "text": "<message>" }` as JSON to a webhook: the body Slack incoming
 * webhooks (and Mattermost, Google Chat, Teams workflows) accept. Use it as any task callback. An
 * answer other than 2xx is an error, which the task runner writes to the task log.
 *
 * @example
 * ```ts
 * import { dag, httpNotifier, task } from 'updraft/sdk';
 *
 * const alert = httpNotifier({ connId: 'slack_alerts' });
 * const load = task({ taskId: 'load', retries: 2, onFailure: alert, onRetry: alert }, async () => { ... });
 * export default dag({ dagId: 'etl', defaultArgs: { onFailure: alert } }, () => { load(); });
 * ```
 */
export function httpNotifier(options: HttpNotifierOptions): RunNotifier {
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError("httpNotifier(options) needs an object such as { connId: 'slack_alerts' }.");
  }
  const { url, connId, message, headers, runMessage } = options;
  if ((url === undefined) === (connId === undefined)) {
    throw new DagDefinitionError("httpNotifier needs exactly one of url and connId, e.g. httpNotifier({ connId: 'slack_alerts' }).");
  }
  if (url !== undefined && !isHttpUrl(url)) {
    throw new DagDefinitionError(`httpNotifier: url must be an http(s) URL, got ${JSON.stringify(url)}.`);
  }
  if (connId !== undefined && (typeof connId !== 'string' || connId === '')) {
    throw new DagDefinitionError(`httpNotifier: connId must be a connection id, got ${JSON.stringify(connId)}.`);
  }
  if (message !== undefined && typeof message !== 'function') {
    throw new DagDefinitionError('httpNotifier: message must be a function (ctx, info) => string.');
  }
  if (runMessage !== undefined && typeof runMessage !== 'function') {
    throw new DagDefinitionError('httpNotifier: runMessage must be a function (ctx, info) => string.');
  }
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))) {
    throw new DagDefinitionError('httpNotifier: headers must map header names to strings.');
  }

  const post = async (ctx: Pick<TaskContext, 'connections' | 'signal'>, text: string): Promise<void> => {
    const target = url ?? (await webhookUrlOf(ctx, connId!));
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ text }),
      signal: ctx.signal,
    });
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 200);
      // The URL itself may be a secret (Slack's is): name only its host.
      throw new NotifierError(
        `httpNotifier: the webhook at ${new URL(target).host} answered ${response.status} ${response.statusText}${body ? `: ${body}` : ''}. Check the URL and that the webhook accepts {"text": ...}.`,
      );
    }
  };
  return {
    name: connId === undefined ? 'httpNotifier' : `httpNotifier(${connId})`,
    notify: (ctx, info) => post(ctx, (message ?? defaultNotificationText)(ctx, info)),
    notifyRun: (ctx, info) => post(ctx, (runMessage ?? defaultRunNotificationText)(ctx, info)),
  };
}

async function webhookUrlOf(ctx: Pick<TaskContext, 'connections'>, connId: string): Promise<string> {
  const connection = await ctx.connections.get(connId);
  const webhookUrl = connection.extra?.webhook_url;
  if (typeof webhookUrl !== 'string' || !isHttpUrl(webhookUrl)) {
    throw new NotifierError(
      `httpNotifier: connection "${connId}" has no http(s) URL in extra.webhook_url. Set it, e.g. UPDRAFT_CONN_${connId.toUpperCase()}='{"conn_type":"http","extra":{"webhook_url":"https://..."}}'.`,
    );
  }
  return webhookUrl;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
