import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LOG_PREFIX, XCOM_PREFIX } from '../src/core/model/bucket-layout.ts';

export interface StorageBucketProps {
  /** Days after which an object under `logs/` expires. */
  logRetentionDays: number;
}

/**
 * The one bucket: DAG files under `dags/`, DAG bundles, task logs under `logs/` and large XCom values.
 * Its "Object Created" events go to EventBridge, which is how a DAG upload reaches the DAG processor.
 */
export class StorageBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Versions let a team recover a DAG file or bundle that was overwritten or deleted by mistake.
      versioned: true,
      // Holds the only copy of user DAGs and logs: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-task-logs',
          prefix: LOG_PREFIX,
          expiration: Duration.days(props.logRetentionDays),
          // With versioning on, expiry only adds a delete marker; this removes the log itself a day later.
          noncurrentVersionExpiration: Duration.days(1),
        },
        // A cleared task deletes its large XComs; versioning would otherwise keep every one of them.
        { id: 'expire-deleted-xcoms', prefix: XCOM_PREFIX, noncurrentVersionExpiration: Duration.days(7) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs need a second bucket and are written per request; who changed DAGs is answered by CloudTrail ' +
        '(enable S3 data events for the dags/ prefix in the account trail), and every request of Updraft itself is in the function logs.',
    });
    // Set on the L1 resource rather than with `eventBridgeEnabled`: the L2 option deploys a custom
    // resource backed by a Lambda function, while CloudFormation supports the setting natively.
    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }
}
