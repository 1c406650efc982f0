import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient, createSqsClient } from '../src/aws/clients.ts';
import { LOCAL_CREDENTIALS, type LocalEndpoints } from '../src/local/emulators.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * What the emulators themselves cost: a conditional UpdateItem on DynamoDB Local, and an SQS send
 * followed by a long-poll receive on fauxqs. The end-to-end figures cannot beat a few of these.
 */
export async function measureFloors(endpoints: LocalEndpoints, samples = 200) {
  const options = {
    region: endpoints.region,
    dynamodbEndpoint: endpoints.dynamodb,
    sqsEndpoint: endpoints.sqs,
    credentials: { ...LOCAL_CREDENTIALS },
  };
  const ddb = createDynamoDbClient(options);
  const table = `bench-floor-${Date.now()}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: table });
  const ddbTimes: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: 'counter' },
        UpdateExpression: 'SET revision = :next',
        ConditionExpression: 'attribute_not_exists(revision) OR revision = :expected',
        ExpressionAttributeValues: { ':next': index + 1, ':expected': index },
      }),
    );
    ddbTimes.push(performance.now() - started);
  }

  const sqs = createSqsClient(options);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-floor-${Date.now()}` }));
  const sqsTimes: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: String(index) }));
    const received = await receiving;
    sqsTimes.push(performance.now() - started);
    const handle = received.Messages?.[0]?.ReceiptHandle;
    if (handle) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle }));
  }
  ddb.destroy();
  sqs.destroy();
  return { ddbUpdateMedianMs: median(ddbTimes), sqsRoundTripMedianMs: median(sqsTimes) };
}
