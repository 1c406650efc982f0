import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UpdraftError } from '../../core/errors.ts';
import type { Item } from './item-codec.ts';

/** DynamoDB stores at most 400 KB per item; this leaves room for the other attributes of a version. */
export const MAX_SERIALIZED_DAG_BYTES = 350 * 1024;

export class SerializedDagTooLargeError extends UpdraftError {
  readonly dagId: string;
  readonly bytes: number;

  constructor(dagId: string, bytes: number) {
    super(
      'serialized_dag_too_large',
      `DAG "${dagId}" serializes to ${Math.round(bytes / 1024)} KB, more than the ${MAX_SERIALIZED_DAG_BYTES / 1024} KB ` +
        'the metastore can hold in one item. Make it smaller: move large literals (templates, arguments, docs) ' +
        'into files the task reads at run time, or split the DAG.',
    );
    this.dagId = dagId;
    this.bytes = bytes;
  }
}

/** A write that DynamoDB refused because the item would pass its 400 KB limit. */
export class ItemTooLargeError extends UpdraftError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      'item_too_large',
      `${what} is larger than DynamoDB's 400 KB item limit. Store large values in the object store instead.`,
      options,
    );
  }
}

const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/**
 * The item as stored when a condition failed, from `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`.
 * The document client does not unmarshall error fields, so this does. Null: the item does not exist.
 */
export function itemFromConditionFailure(error: unknown): Item | null {
  const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
  return raw && Object.keys(raw).length > 0 ? (unmarshall(raw) as Item) : null;
}

/** Rethrows DynamoDB's size refusal as an error that names what was too large. */
export function rethrowTooLarge(error: unknown, what: string): never {
  const message = (error as { message?: string } | null)?.message ?? '';
  if (errorName(error) === 'ValidationException' && /item size|maximum allowed size|exceeded/i.test(message)) {
    throw new ItemTooLargeError(what, { cause: error });
  }
  throw error;
}
