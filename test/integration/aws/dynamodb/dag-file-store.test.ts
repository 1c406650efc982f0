import { describe, expect, it } from 'vitest';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { createMetastoreTable, METASTORE_TABLE_DEFINITION } from '../../../../src/aws/dynamodb/index.ts';
import { at, createTestMetastore } from './fixtures.ts';

const { client, tableName, metastore: store } = await createTestMetastore('file-store');

describe('createMetastoreTable', () => {
  it('is idempotent and leaves an ACTIVE table with the indexes and TTL of the definition', async () => {
    await createMetastoreTable(client, tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(
      METASTORE_TABLE_DEFINITION.globalSecondaryIndexes.map((i) => i.indexName),
    );
    expect(Table?.LocalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(
      METASTORE_TABLE_DEFINITION.localSecondaryIndexes.map((i) => i.indexName),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(METASTORE_TABLE_DEFINITION.timeToLiveAttribute);
  });
});

describe('DynamoDbMetastore DAG files and import errors', () => {
  it('puts, replaces, reads and deletes a DAG file record', async () => {
    const file = { fileloc: 'etl/orders.ts', contentHash: 'abc', dagIds: ['orders', 'orders_backfill'], lastParsedAt: at('2024-05-01T10:00:00.000Z') };
    await store.putDagFile(file);
    expect(await store.getDagFile('etl/orders.ts')).toEqual(file);
    const emptied = { ...file, contentHash: 'def', dagIds: [] };
    await store.putDagFile(emptied);
    expect(await store.getDagFile('etl/orders.ts')).toEqual(emptied);
    await store.deleteDagFile('etl/orders.ts');
    expect(await store.getDagFile('etl/orders.ts')).toBeNull();
    await store.deleteDagFile('etl/orders.ts');
  });

  it('lists import errors by file, replaces and deletes them, and truncates huge messages', async () => {
    await store.putImportError({ fileloc: 'b.ts', message: 'SyntaxError: Unexpected token', line: 3, timestamp: at('2024-05-01T10:00:00.000Z') });
    await store.putImportError({ fileloc: 'a.ts', message: 'x'.repeat(200_000), line: null, timestamp: at('2024-05-01T10:00:01.000Z') });
    await store.putImportError({ fileloc: 'b.ts', message: 'ReferenceError: foo is not defined', line: 7, timestamp: at('2024-05-01T10:00:02.000Z') });

    const errors = await store.listImportErrors();
    expect(errors.map((e) => e.fileloc)).toEqual(['a.ts', 'b.ts']);
    expect(errors[1]).toEqual({ fileloc: 'b.ts', message: 'ReferenceError: foo is not defined', line: 7, timestamp: at('2024-05-01T10:00:02.000Z') });
    expect(errors[0]?.line).toBeNull();
    expect(errors[0]?.message).toMatch(/truncated\)$/);

    await store.deleteImportError('b.ts');
    await store.deleteImportError('never-failed.ts');
    expect((await store.listImportErrors()).map((e) => e.fileloc)).toEqual(['a.ts']);
  });
});

describe('DynamoDbMetastore scheduler heartbeats', () => {
  it('returns the most recent heartbeat of any scheduler', async () => {
    expect(await store.getLatestSchedulerHeartbeat()).toBeNull();
    await store.recordSchedulerHeartbeat('scheduler-a', at('2024-05-01T10:00:00.000Z'));
    await store.recordSchedulerHeartbeat('scheduler-b', at('2024-05-01T10:00:30.000Z'));
    await store.recordSchedulerHeartbeat('scheduler-a', at('2024-05-01T10:01:00.000Z'));
    expect(await store.getLatestSchedulerHeartbeat()).toEqual({ schedulerId: 'scheduler-a', at: at('2024-05-01T10:01:00.000Z') });
  });
});
