import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseTriggerMessage } from '../../aws/sqs/trigger-queue.ts';
import type { Triggerer } from './triggerer.ts';
import type { Logger } from '../../core/ports/logger.ts';

/**
 * The triggerer function's SQS handler (also fed by the local SQS event source). Nothing is handed back
 * for redelivery: a trigger that was not polled, or whose report was lost, is sent again by the next
 * scheduler tick, which is the cadence anyway. A malformed message is logged and dropped.
 */
export function createTriggererHandler(triggerer: Pick<Triggerer, 'runBatch'>, logger: Logger): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    await Promise.all(
      event.Records.map(async (record) => {
        try {
          const workload = parseTriggerMessage(record.body);
          const report = await triggerer.runBatch(workload);
          logger.info('Trigger batch polled', { message_id: record.messageId, triggers: workload.triggers.length, ...report });
        } catch (error) {
          logger.error('Dropping a trigger message; the next scheduler tick sends its triggers again', {
            message_id: record.messageId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    );
    return { batchItemFailures: [] };
  };
}
