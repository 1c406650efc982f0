import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseWorkerMessage } from '../../aws/sqs/workload-message.ts';
import type { Workload } from '../../core/model/workload.ts';
import { withLogAttributes } from '../../core/ports/logger.ts';
import { ExecutionApiError, ExecutionApiUnreachableError } from '../../http/execution-api-client.ts';
import { logKeys, runTask, type TaskRunnerDeps } from './run-task.ts';
import { describeError } from './task-log.ts';
import { runDagCallback } from './dag-callbacks.ts';

export type WorkerDeps = TaskRunnerDeps;

/** Time kept back from the Lambda timeout to report the stopped attempt and write its log. */
export const DEADLINE_MARGIN_MS = 10_000;

/**
 * The worker Lambda's SQS handler (also fed by the local SQS event source). Records of one batch run
 * concurrently. A record is handed back for redelivery only when nothing ran and a later delivery can
 * succeed: the API was unreachable or failing when the attempt tried to start. Everything else,
 * including a malformed message or a task that failed, is done with: redelivering it would either fail
 * the same way forever or run the attempt twice.
 */
export function createWorkerHandler(deps: WorkerDeps): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const remaining = context?.getRemainingTimeInMillis?.();
    // A short function timeout keeps half of it for the task rather than stopping every task at once.
    const margin = remaining === undefined ? 0 : Math.min(DEADLINE_MARGIN_MS, remaining / 2);
    const runDeps = remaining === undefined ? deps : { ...deps, deadlineMs: Date.now() + remaining - margin };
    const results = await Promise.all(event.Records.map((record) => handleRecord(record, runDeps)));
    return {
      batchItemFailures: event.Records.filter((_, i) => results[i] === 'redeliver').map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
}

async function handleRecord(record: SQSRecord, deps: WorkerDeps): Promise<'done' | 'redeliver'> {
  let workload: Workload;
  try {
    workload = parseWorkerMessage(record.body);
  } catch (error) {
    deps.logger.error('Dropping a malformed task message; it will not be retried', {
      message_id: record.messageId,
      error: (error as Error).message,
    });
    return 'done';
  }
  if (workload.kind === 'RunDagCallback') {
    // A callback never asks for redelivery: it logs its own failures, and running it again would notify twice.
    const outcome = await runDagCallback(workload, deps);
    deps.logger.info('DAG callback message handled', { dag_id: workload.dagId, run_id: workload.runId, event: workload.event, ...outcome });
    return 'done';
  }
  const keys = logKeys(workload.ti);
  const logger = withLogAttributes(deps.logger, keys);
  try {
    const outcome = await runTask(workload, { ...deps, logger });
    logger.info('Task message handled', { outcome: outcome.kind, ...('state' in outcome ? { state: outcome.state } : { reason: outcome.reason }) });
    return 'done';
  } catch (error) {
    if (shouldRedeliver(error)) {
      logger.warn('Could not start the attempt; the message will be delivered again', { error: (error as Error).message });
      return 'redeliver';
    }
    logger.error('The attempt could not start and a retry would not help; dropping the message', { error: describeError(error) });
    return 'done';
  }
}

function shouldRedeliver(error: unknown): boolean {
  if (error instanceof ExecutionApiUnreachableError) return true;
  return error instanceof ExecutionApiError && (error.status >= 500 || error.status === 429);
}

