import type { S3Client } from '@aws-sdk/client-s3';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { RunTriggersWorkload, TriggerToPoll } from '../../core/ports/trigger-queue.ts';
import { firedTimeTrigger } from '../../core/scheduling/triggers.ts';
import { mapWithConcurrency } from '../scheduler/concurrency.ts';
import {
  ExecutionApiClient,
  ExecutionApiError,
  ExecutionApiUnreachableError,
  ExecutionConflictError,
} from '../../http/execution-api-client.ts';
import type { BundleLoader } from '../task-runner/bundle-loader.ts';
import { findCustomTrigger } from './custom-triggers.ts';
import { decideExternalRun } from './external-run-trigger.ts';
import { pollHttp } from './http-trigger.ts';
import { pollS3Key } from './s3-key-trigger.ts';
import { pollWithTimeLimit, type TriggerOutcome } from './trigger-outcome.ts';

export interface TriggererDeps {
  apiBaseUrl: string;
  logger: Logger;
  /** For `s3_key` triggers, with the triggerer's own credentials. */
  s3: S3Client;
  /** For custom triggers: the DAG version's bundle, where defineTrigger registered them. */
  bundleLoader: Pick<BundleLoader, 'load'>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Time limit of one poll (default 10 s): a poll that runs out is "not yet", never a failure. */
  pollTimeoutMs?: number;
  /** Polls in flight at once (default 10). */
  concurrency?: number;
}

export interface TriggerBatchReport {
  fired: number;
  failed: number;
  waiting: number;
  /** Reports the Execution API refused or could not take (stale attempt, unreachable): the next tick resends. */
  unreported: number;
}

export const DEFAULT_POLL_TIMEOUT_MS = 10_000;

/**
 * The triggerer (Airflow's triggerer, reshaped for Lambda): it holds no trigger between invocations.
 * Each batch the scheduler sends is polled once, every trigger with a time limit; a fired trigger is
 * reported through the Execution API with the attempt's own token, which resumes the task; a trigger
 * that throws fails the task; one that has not fired costs nothing more until the next tick sends it.
 * It holds no metastore credentials: like a worker, it only talks to the Execution API.
 */
export class Triggerer {
  constructor(private readonly deps: TriggererDeps) {}

  async runBatch(workload: RunTriggersWorkload): Promise<TriggerBatchReport> {
    const report: TriggerBatchReport = { fired: 0, failed: 0, waiting: 0, unreported: 0 };
    await mapWithConcurrency(workload.triggers, this.deps.concurrency ?? 10, async (item) => {
      const client = new ExecutionApiClient({ baseUrl: this.deps.apiBaseUrl, token: item.token, fetch: this.deps.fetch, maxAttempts: 2 });
      const outcome = await this.poll(item, client);
      if (outcome.kind === 'waiting') {
        report.waiting += 1;
        this.deps.logger.debug('Trigger has not fired yet', { ...keys(item), why: outcome.why });
        return;
      }
      const reported = await this.report(item, client, outcome);
      if (!reported) report.unreported += 1;
      else if (outcome.kind === 'fired') report.fired += 1;
      else report.failed += 1;
    });
    return report;
  }

  /** One bounded poll. Our own API failing is "not yet" (the task is not to blame); the trigger throwing is a failure. */
  private async poll(item: TriggerToPoll, client: ExecutionApiClient): Promise<TriggerOutcome> {
    const timeoutMs = this.deps.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    return pollWithTimeLimit((signal) => this.evaluate(item, client, signal), timeoutMs, {
      lateWhy: `the poll took longer than ${timeoutMs} ms; it is polled again on the next tick`,
      onError: (error) =>
        error instanceof ExecutionApiUnreachableError || (error instanceof ExecutionApiError && error.status >= 500)
          ? { kind: 'waiting', why: `the Execution API failed: ${error.message}` }
          : null,
    });
  }

  private async evaluate(item: TriggerToPoll, client: ExecutionApiClient, signal: AbortSignal): Promise<TriggerOutcome> {
    const { kind, kwargs } = item.trigger;
    switch (kind) {
      case 'datetime': {
        const fired = firedTimeTrigger(item.trigger, (this.deps.now ?? (() => new Date()))());
        return fired ? { kind: 'fired', payload: fired.payload } : { kind: 'waiting', why: 'its moment has not come' };
      }
      case 's3_key':
        return pollS3Key(this.deps.s3, kwargs, signal);
      case 'http': {
        const connection = typeof kwargs.connection === 'string' ? await client.getConnection(kwargs.connection) : null;
        return pollHttp(kwargs, connection, this.deps.fetch ?? globalThis.fetch, signal);
      }
      case 'external_run': {
        const taskIds = Array.isArray(kwargs.taskIds) ? (kwargs.taskIds as string[]) : undefined;
        const states = await client.getDagRunStates(String(kwargs.dagId), String(kwargs.logicalDate), taskIds);
        return decideExternalRun(kwargs, states);
      }
      default: {
        const trigger = await findCustomTrigger(this.deps.bundleLoader, item.bundleKey, item.ti, kind);
        const logger = this.deps.logger;
        const event = await trigger.poll(structuredClone(kwargs), {
          signal,
          dagId: item.ti.dagId,
          runId: item.ti.runId,
          taskId: item.ti.taskId,
          mapIndex: item.ti.mapIndex,
          tryNumber: item.ti.tryNumber,
          log: {
            info: (message) => logger.info(String(message), { ...keys(item), trigger: kind }),
            warn: (message) => logger.warn(String(message), { ...keys(item), trigger: kind }),
          },
        });
        if (event === null || event === undefined) return { kind: 'waiting', why: `custom trigger "${kind}" returned null` };
        return { kind: 'fired', payload: (event as { payload?: unknown }).payload ?? null };
      }
    }
  }

  private async report(item: TriggerToPoll, client: ExecutionApiClient, outcome: Exclude<TriggerOutcome, { kind: 'waiting' }>): Promise<boolean> {
    const trigger = { kind: item.trigger.kind, kwargs: item.trigger.kwargs };
    try {
      if (outcome.kind === 'fired') {
        await client.fireTrigger(item.ti, { event: jsonSafe(outcome.payload), trigger });
        this.deps.logger.info('Trigger fired; the task resumes', { ...keys(item), trigger: trigger.kind });
      } else {
        await client.failTrigger(item.ti, { error: outcome.error.slice(0, 4000), trigger });
        this.deps.logger.warn('Trigger failed; the task fails', { ...keys(item), trigger: trigger.kind, error: outcome.error });
      }
      return true;
    } catch (error) {
      // A stale or resumed attempt (409/403) is normal under at-least-once delivery; anything else is retried by the next tick.
      const level = error instanceof ExecutionConflictError || (error instanceof ExecutionApiError && error.status === 403) ? 'info' : 'error';
      this.deps.logger[level]('Could not report the trigger to the Execution API', {
        ...keys(item),
        outcome: outcome.kind,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }
}

/** An event must be JSON; anything else (a Date, a class instance) is reduced to its JSON form. */
function jsonSafe(payload: unknown): unknown {
  if (payload === undefined) return null;
  return JSON.parse(JSON.stringify(payload) ?? 'null') as unknown;
}

function keys(item: TriggerToPoll): Record<string, unknown> {
  return {
    dag_id: item.ti.dagId,
    run_id: item.ti.runId,
    task_id: item.ti.taskId,
    map_index: item.ti.mapIndex,
    try_number: item.ti.tryNumber,
    ti: formatTaskInstanceKey(item.ti),
  };
}
