import { CfnOutput, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { metastoreTableProps } from './metastore-table.ts';
import type { StackConfig } from './stack-config.ts';
import { StorageBucket } from './storage-bucket.ts';
import { TASK_QUEUE_MAX_RECEIVE_COUNT, TaskQueue } from './task-queue.ts';

export interface UpdraftStackProps extends StackProps {
  config: StackConfig;
}

/**
 * Updraft's storage foundation: the metastore table, the bucket and the task queue. Issue #5 adds the
 * functions, the API, ECS and alarms on top of these constructs.
 */
export class UpdraftStack extends Stack {
  readonly table: TableV2;
  readonly bucket: StorageBucket;
  readonly taskQueue: TaskQueue;

  constructor(scope: Construct, id: string, props: UpdraftStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      stackName: `updraft-${config.stage}`,
      description: `Updraft workflow orchestrator (stage ${config.stage})`,
      ...stackProps,
    });
    Tags.of(this).add('updraft:stage', config.stage);

    this.table = new TableV2(this, 'Metastore', {
      ...metastoreTableProps(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      // A stage deployed without deletion protection is meant to be torn down with its data.
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.bucket = new StorageBucket(this, 'Storage', { logRetentionDays: config.logRetentionDays });
    this.taskQueue = new TaskQueue(this, 'TaskQueue');

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'Metastore DynamoDB table' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucket.bucketName, description: 'DAGs, bundles, logs and large XComs' });
    new CfnOutput(this, 'TaskQueueUrl', { value: this.taskQueue.queue.queueUrl, description: 'Lambda executor task queue' });
    new CfnOutput(this, 'TaskDeadLetterQueueUrl', {
      value: this.taskQueue.deadLetterQueue.queueUrl,
      description: `Task messages received ${TASK_QUEUE_MAX_RECEIVE_COUNT} times without success`,
    });
  }
}
