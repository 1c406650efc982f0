import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, METASTORE_TABLE_DEFINITION } from '../../src/aws/dynamodb/table-definition.ts';
import { taskLogKey } from '../../src/core/model/workload.ts';
import { synthUpdraftStack } from './synth-stack.ts';
import type { Template } from 'aws-cdk-lib/assertions';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const def = METASTORE_TABLE_DEFINITION;
const key = (name: string, keyType: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: keyType });

let template: Template;
let stackName: string;
const only = (type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  ({ template, stackName } = synthUpdraftStack());
});

describe('UpdraftStack with default context', () => {
  it('is named after the default stage dev', () => {
    expect(stackName).toBe('updraft-dev');
  });

  it('deploys the six functions and no custom-resource handler (S3 events go to EventBridge natively)', () => {
    template.resourceCountIs('AWS::Lambda::Function', 6);
    expect(Object.keys(template.findResources('Custom::S3BucketNotifications'))).toEqual([]);
  });
});

describe('metastore table', () => {
  const table = () => only('AWS::DynamoDB::GlobalTable')[1];

  it('has the key schema of METASTORE_TABLE_DEFINITION', () => {
    expect(table().Properties.KeySchema).toEqual([key(def.partitionKey.name, 'HASH'), key(def.sortKey.name, 'RANGE')]);
  });

  it('has the global secondary indexes of the definition', () => {
    expect(table().Properties.GlobalSecondaryIndexes).toEqual(
      def.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [key(index.partitionKey.name, 'HASH'), key(index.sortKey.name, 'RANGE')],
        Projection: { ProjectionType: index.projection },
      })),
    );
  });

  it('has the local secondary indexes of the definition, on the table partition key', () => {
    expect(table().Properties.LocalSecondaryIndexes).toEqual(
      def.localSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [key(def.partitionKey.name, 'HASH'), key(index.sortKey.name, 'RANGE')],
        Projection: { ProjectionType: index.projection },
      })),
    );
  });

  it('declares every key attribute with the type the definition gives it', () => {
    const keys = [
      def.partitionKey,
      def.sortKey,
      ...def.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
      ...def.localSecondaryIndexes.map((index) => index.sortKey),
    ];
    const expected = new Map(keys.map((k) => [k.name, k.type]));
    const actual = table().Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(new Map(actual.map((a) => [a.AttributeName, a.AttributeType]))).toEqual(expected);
    expect(actual).toHaveLength(expected.size);
  });

  it('expires items by the TTL attribute of the definition', () => {
    expect(table().Properties.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
  });

  it('has the same schema as the table local mode creates', () => {
    const local = createTableInput('any');
    const props = table().Properties;
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) => a.AttributeName!.localeCompare(b.AttributeName!);
    expect(props.BillingMode).toBe(local.BillingMode);
    expect(props.KeySchema).toEqual(local.KeySchema);
    expect([...props.AttributeDefinitions].sort(byName)).toEqual([...local.AttributeDefinitions!].sort(byName));
    expect(props.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(props.LocalSecondaryIndexes).toEqual(local.LocalSecondaryIndexes);
  });

  it('bills on demand, with point-in-time recovery and deletion protection on', () => {
    const [, resource] = only('AWS::DynamoDB::GlobalTable');
    expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(resource.Properties.Replicas).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    ]);
    expect(resource.DeletionPolicy).toBe('Retain');
  });
});

describe('storage bucket', () => {
  const bucket = () => only('AWS::S3::Bucket');

  it('encrypts with S3-managed keys and blocks all public access', () => {
    const { Properties } = bucket()[1];
    expect(Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('denies every request that does not use TLS, on the bucket and its objects', () => {
    const [bucketId] = bucket();
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [arn, { 'Fn::Join': ['', [arn, '/*']] }],
          }),
        ]),
      },
    });
  });

  it('keeps versions and sends its events to EventBridge', () => {
    const { Properties } = bucket()[1];
    expect(Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(bucket()[1].DeletionPolicy).toBe('Retain');
  });

  it('drops the old versions of deleted large XComs after a week', () => {
    const rules = bucket()[1].Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'xcom/', NoncurrentVersionExpiration: { NoncurrentDays: 7 }, Status: 'Enabled' }));
  });

  it('expires task logs after 90 days and nothing else', () => {
    const rules = bucket()[1].Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    const expiring = rules.filter((rule) => 'ExpirationInDays' in rule);
    expect(expiring).toEqual([expect.objectContaining({ Prefix: 'logs/', ExpirationInDays: 90, Status: 'Enabled' })]);
    const logKey = taskLogKey({ dagId: 'etl', runId: 'manual__2025-01-01', taskId: 'load', mapIndex: -1, tryNumber: 1 });
    expect(logKey.startsWith(expiring[0]!.Prefix as string)).toBe(true);
  });
});

describe('task queue', () => {
  const queues = () => (Object.entries(template.findResources('AWS::SQS::Queue')) as [string, Resource][]).filter(([id]) => id.startsWith('TaskQueue'));
  const main = () => queues().find(([, q]) => q.Properties.RedrivePolicy !== undefined)!;
  const deadLetter = () => queues().find(([, q]) => q.Properties.RedrivePolicy === undefined)!;

  it('is one queue with one dead-letter queue', () => {
    expect(queues()).toHaveLength(2);
    // Exactly one of the two redrives, and the other is where it redrives to.
    expect(queues().filter(([, q]) => q.Properties.RedrivePolicy !== undefined)).toHaveLength(1);
    expect(main()[0]).not.toBe(deadLetter()[0]);
  });

  it('moves a message to the dead-letter queue after 5 receives', () => {
    expect(main()[1].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetter()[0], 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('hides a received message for six times the worker timeout, as AWS advises for Lambda event sources', () => {
    expect(main()[1].Properties.VisibilityTimeout).toBe(6 * 900);
  });

  it('encrypts every queue (the task queues and the event dead-letter queue) with SQS-managed keys and denies non-TLS access to them', () => {
    for (const [id, queue] of Object.entries(template.findResources('AWS::SQS::Queue'))) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('outputs', () => {
  it('name the table, the bucket and the queue URL', () => {
    template.hasOutput('TableName', { Value: { Ref: only('AWS::DynamoDB::GlobalTable')[0] } });
    template.hasOutput('BucketName', { Value: { Ref: only('AWS::S3::Bucket')[0] } });
    const queueId = Object.entries(template.findResources('AWS::SQS::Queue')).find(([, q]) => q.Properties.RedrivePolicy)![0];
    template.hasOutput('TaskQueueUrl', { Value: { Ref: queueId } });
  });

  it('give the API URLs, the alarm topic, the dashboard and the token key secret', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    for (const name of ['ExecutionApiUrl', 'RestApiUrl', 'AlarmTopicArn', 'DashboardName', 'TokenSigningKeySecretArn', 'EventDeadLetterQueueUrl', 'ClusterName']) {
      expect(outputs, name).toHaveProperty(name);
    }
  });
});
