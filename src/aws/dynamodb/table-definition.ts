import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdraftError } from '../../core/errors.ts';
import { ATTR, INDEX } from './keys.ts';

/**
 * The metastore table's schema: the one source of truth, read by `createMetastoreTable` (local mode,
 * tests) and by the CDK stack. Its shape maps one to one onto CDK's `TableV2` props.
 */
export const METASTORE_TABLE_DEFINITION = {
  billingMode: 'PAY_PER_REQUEST',
  partitionKey: { name: ATTR.pk, type: 'S' },
  sortKey: { name: ATTR.sk, type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: INDEX.lists,
      partitionKey: { name: ATTR.listPk, type: 'S' },
      sortKey: { name: ATTR.listSk, type: 'S' },
      projection: 'ALL',
    },
  ],
  localSecondaryIndexes: [
    {
      indexName: INDEX.runsByLogicalDate,
      sortKey: { name: ATTR.runOrder, type: 'S' },
      projection: 'ALL',
    },
  ],
  /** Epoch seconds; items that carry it (scheduler heartbeats) expire on their own. */
  timeToLiveAttribute: ATTR.expiresAt,
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const def = METASTORE_TABLE_DEFINITION;
  const attributes = new Map<string, 'S'>();
  const note = (key: { name: string; type: 'S' }) => attributes.set(key.name, key.type);
  note(def.partitionKey);
  note(def.sortKey);
  def.globalSecondaryIndexes.forEach((index) => (note(index.partitionKey), note(index.sortKey)));
  def.localSecondaryIndexes.forEach((index) => note(index.sortKey));
  return {
    TableName: tableName,
    BillingMode: def.billingMode,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
    LocalSecondaryIndexes: def.localSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}

export class MetastoreTableError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('metastore_table', message, options);
  }
}

const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;

async function tableStatus(client: DynamoDBDocumentClient, tableName: string): Promise<string | null> {
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return described.Table?.TableStatus ?? null;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return null;
    throw error;
  }
}

/**
 * Creates the metastore table unless it exists, waits until it is ACTIVE and enables TTL. Safe to call
 * at every start and from several processes at once.
 */
export async function createMetastoreTable(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  if ((await tableStatus(client, tableName)) === null) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Another process created it between our describe and create.
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let status = await tableStatus(client, tableName);
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) {
      throw new MetastoreTableError(
        `Table "${tableName}" is ${status ?? 'missing'} and did not become ACTIVE in time; check it in the DynamoDB console and retry.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = await tableStatus(client, tableName);
  }
  await enableTimeToLive(client, tableName);
}

async function enableTimeToLive(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: METASTORE_TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // Emulators without TTL still work: heartbeat items then simply stay.
    const name = errorName(error);
    if (name !== 'UnknownOperationException' && name !== 'ValidationException') throw error;
  }
}
