import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createDynamoDbClient, createSqsClient } from '../../../src/aws/clients.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';

describe('embedded emulators', () => {
  it('serve DynamoDB with the shared test database', async () => {
    const ddb = createDynamoDbClient(emulatorClientOptions());
    const table = uniqueName('probe');
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.TableStatus).toBe('ACTIVE');
  });

  it('serve SQS through the endpoint the clients are given', async () => {
    const sqs = createSqsClient(emulatorClientOptions());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('probe') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.[0]?.Body).toBe('hello');
  });
});
