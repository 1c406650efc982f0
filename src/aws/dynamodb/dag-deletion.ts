import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DagRunKey } from '../../core/model/keys.ts';
import { ATTR, dagFileKey, dagKey, dagRunKey, dagVersionKey, importErrorKey, runsPartition, taskInstancesPartition, xcomPartition } from './keys.ts';
import { deleteAll, queryAll } from './requests.ts';

/**
 * Deleting a run or a DAG (the REST API's delete_dag_run and delete_dag). DynamoDB cannot delete a
 * partition in one request, so the items are found by query and deleted in batches. Children go first
 * and the item that proves existence last, so a deletion that stops half-way is finished by repeating it.
 */

/** Deletes every item of a partition whose sort key starts with `skPrefix` (all of them when absent). */
export async function deletePartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  skPrefix?: string,
): Promise<number> {
  const items = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: skPrefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: skPrefix === undefined ? { '#pk': ATTR.pk } : { '#pk': ATTR.pk, '#sk': ATTR.sk },
    ExpressionAttributeValues: skPrefix === undefined ? { ':pk': pk } : { ':pk': pk, ':prefix': skPrefix },
    ProjectionExpression: skPrefix === undefined ? '#pk, sk' : '#pk, #sk',
    ConsistentRead: true,
  });
  await deleteAll(
    client,
    tableName,
    items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })),
  );
  return items.length;
}

/** A run's task instances and XComs, then the run itself; returns whether the run item existed. */
export async function deleteRunData(client: DynamoDBDocumentClient, tableName: string, key: DagRunKey): Promise<boolean> {
  await deletePartition(client, tableName, taskInstancesPartition(key));
  await deletePartition(client, tableName, xcomPartition(key));
  const result = await client.send(new DeleteCommand({ TableName: tableName, Key: dagRunKey(key), ReturnValues: 'ALL_OLD' }));
  return result.Attributes !== undefined;
}

/**
 * A DAG's runs (with their task instances and XComs), its versions, the DAG item, and last its file's
 * parse record and import error: without the parse record the DAG processor parses the file again on its
 * next pass instead of skipping it as unchanged, and so records the DAG again while its file exists.
 */
export async function deleteDagData(
  client: DynamoDBDocumentClient,
  tableName: string,
  dagId: string,
  fileloc: string | null,
): Promise<void> {
  const runs = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
    ExpressionAttributeValues: { ':pk': runsPartition(dagId), ':prefix': 'RUN#' },
    ProjectionExpression: 'runId',
    ConsistentRead: true,
  });
  for (const run of runs) await deleteRunData(client, tableName, { dagId, runId: String(run.runId) });
  await deletePartition(client, tableName, dagVersionKey(dagId, '').pk);
  await client.send(new DeleteCommand({ TableName: tableName, Key: dagKey(dagId) }));
  if (fileloc !== null) {
    await client.send(new DeleteCommand({ TableName: tableName, Key: dagFileKey(fileloc) }));
    await client.send(new DeleteCommand({ TableName: tableName, Key: importErrorKey(fileloc) }));
  }
}
