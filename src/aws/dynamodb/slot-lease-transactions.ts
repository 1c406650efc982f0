import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** Conflicts with concurrent transactions on the same item are retried this many times, with backoff. */
const MAX_CONFLICT_RETRIES = 8;

export interface CancellationReason {
  Code?: string;
  /** Present (non-empty) when the item existed and the write asked for `ALL_OLD` on a failed condition. */
  Item?: Record<string, unknown>;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const conditionFailed = (reason: CancellationReason | undefined): boolean => reason?.Code === 'ConditionalCheckFailed';

export const itemExisted = (reason: CancellationReason | undefined): boolean =>
  reason?.Item !== undefined && Object.keys(reason.Item).length > 0;

/**
 * Runs one transaction: null when it committed, otherwise DynamoDB's reason per item (in order).
 * Conflicts with other transactions are retried with jittered backoff, as DynamoDB asks callers to.
 */
export function transact(client: DynamoDBDocumentClient, items: TransactItem[]): Promise<CancellationReason[] | null> {
  return withConflictRetries(async () => {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return null;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
      if ((error as { name?: string }).name !== 'TransactionCanceledException' || !reasons) throw error;
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) throw new ConflictRetry(error);
      if (!reasons.some(conditionFailed)) {
        throw new Error(`DynamoDB cancelled a slot lease transaction: ${reasons.map((r) => r.Code ?? 'None').join(', ')}.`, { cause: error });
      }
      return reasons;
    }
  });
}

class ConflictRetry extends Error {
  constructor(readonly original: unknown) {
    super('transaction conflict');
  }
}

function isTransactionConflict(error: unknown): boolean {
  return error instanceof ConflictRetry || (error as { name?: string } | null)?.name === 'TransactionConflictException';
}

async function withConflictRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      if (attempt >= MAX_CONFLICT_RETRIES) throw error instanceof ConflictRetry ? error.original : error;
      const ceiling = Math.min(500, 10 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}
