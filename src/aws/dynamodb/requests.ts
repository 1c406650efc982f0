import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from './item-codec.ts';
import type { TableKey } from './keys.ts';

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every page of a query (callers stop early through `stopWhen`, e.g. once a limit is reached). */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  stopWhen?: (collected: Item[]) => boolean,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
    if (stopWhen?.(items)) break;
  } while (startKey);
  return items;
}

/** Deletes items by key in batches of 25, retrying what DynamoDB reports as unprocessed. */
export async function deleteAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly TableKey[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 25) {
    let requests = keys.slice(start, start + 25).map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (attempt > 8 && requests.length > 0) {
        throw new Error(`DynamoDB kept ${requests.length} deletes unprocessed in table "${tableName}"; retry later.`);
      }
    }
  }
}
