import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EventWiring } from './event-wiring.ts';
import { functionEnvironments, metricsNamespace, updraftConfigEnvironment } from './function-environment.ts';
import { grantFunctionPermissions } from './function-permissions.ts';
import { HttpEndpoint } from './http-endpoint.ts';
import { metastoreTableProps } from './metastore-table.ts';
import { Observability } from './observability.ts';
import type { StackConfig } from './stack-config.ts';
import { StorageBucket } from './storage-bucket.ts';
import { TASK_QUEUE_MAX_RECEIVE_COUNT, TaskQueue, taskQueueVisibilityTimeout } from './task-queue.ts';
import { TASK_RUNNER_CONTAINER_NAME, TASK_RUNNER_LOG_STREAM_PREFIX, TaskRunnerContainer } from './task-runner-container.ts';
import { FUNCTION_CATALOG } from '../functions/catalog.ts';
import { FUNCTION_NAMES, type FunctionName } from '../src/core/deployment/function-names.ts';
import { UpdraftFunctions } from './updraft-functions.ts';

export interface UpdraftStackProps extends StackProps {
  config: StackConfig;
}

/** Airflow's secrets backend prefixes, as Updraft's Execution API reads them by default. */
export const SECRET_PREFIXES = ['updraft/connections', 'updraft/variables'] as const;

/**
 * All of Updraft in one stack: the metastore table, the bucket, the task queue, the five functions and
 * what invokes them (event-wiring.ts, from the event routes shared with local mode), the HTTP APIs, the
 * task-runner container for the fargate executor, the token signing key, and the dashboard and alarms.
 * Nothing in it costs money while no DAG runs, except storage and the secret.
 */
export class UpdraftStack extends Stack {
  readonly table: TableV2;
  readonly bucket: StorageBucket;
  readonly taskQueue: TaskQueue;
  readonly triggerQueue: TaskQueue;
  readonly functions: UpdraftFunctions;
  readonly container: TaskRunnerContainer | null;
  readonly endpoints: Record<'execution-api' | 'rest-api', HttpEndpoint>;
  readonly events: EventWiring;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: UpdraftStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      stackName: `updraft-${config.stage}`,
      description: `Updraft workflow orchestrator (stage ${config.stage})`,
      ...stackProps,
    });
    Tags.of(this).add('updraft:stage', config.stage);
    const logRetention = config.logRetentionDays as RetentionDays;

    this.table = new TableV2(this, 'Metastore', {
      ...metastoreTableProps(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      // A stage deployed without deletion protection is meant to be torn down with its data.
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.bucket = new StorageBucket(this, 'Storage', { logRetentionDays: config.logRetentionDays });
    this.taskQueue = new TaskQueue(this, 'TaskQueue', { visibilityTimeout: taskQueueVisibilityTimeout(config.workerTimeoutSeconds) });
    // Deferral: the scheduler's trigger batches for the triggerer (same queue shape: encrypted, with a DLQ).
    this.triggerQueue = new TaskQueue(this, 'TriggerQueue', { visibilityTimeout: taskQueueVisibilityTimeout(120) });
    const eventDeadLetterQueue = new Queue(this, 'EventDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(eventDeadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'It is itself the dead-letter queue of the DAG file events.' });

    const tokenKey = new Secret(this, 'TokenSigningKey', {
      description: `Signs the per-attempt task tokens of Updraft stage ${config.stage} (HS256)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(tokenKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the key invalidates the tokens of attempts running at that moment; rotate by hand between runs ' +
        '(`aws secretsmanager put-secret-value`), then the functions pick it up on their next cold start.',
    });

    const restApiJwtSecret = new Secret(this, 'RestApiJwtSecret', {
      description: `Signs the REST API tokens of Updraft stage ${config.stage} (POST /auth/token)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(restApiJwtSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the key signs every user out at once (their tokens stop verifying); rotate by hand when that is meant ' +
        '(`aws secretsmanager put-secret-value`), then the REST API function picks it up on its next cold start.',
    });

    this.container = config.fargate
      ? new TaskRunnerContainer(this, 'TaskRunner', { stage: config.stage, cpu: config.fargateCpu, memoryMb: config.fargateMemoryMb, logRetention })
      : null;
    const fargateExecutor = config.executors.includes('fargate') && this.container !== null;

    this.endpoints = {
      'execution-api': new HttpEndpoint(this, 'ExecutionApiEndpoint', {
        apiName: `updraft-${config.stage}-execution-api`,
        description: 'Updraft Task Execution API: task runners start, heartbeat, read and finish attempts here',
        logRetention,
        // Generous: every running task heartbeats and every XCom and variable goes through here.
        throttle: { rateLimit: 2000, burstLimit: 4000 },
      }),
      'rest-api': new HttpEndpoint(this, 'RestApiEndpoint', {
        apiName: `updraft-${config.stage}-rest-api`,
        description: 'Updraft REST API (Airflow REST API v2)',
        logRetention,
        throttle: { rateLimit: 100, burstLimit: 200 },
      }),
    };

    const resources = {
      tableName: this.table.tableName,
      bucketName: this.bucket.bucket.bucketName,
      taskQueueUrl: this.taskQueue.queue.queueUrl,
      triggerQueueUrl: this.triggerQueue.queue.queueUrl,
      executionApiUrl: this.endpoints['execution-api'].url,
      tokenKeySecretArn: tokenKey.secretArn,
      restApiJwtSecretArn: restApiJwtSecret.secretArn,
      fargate:
        fargateExecutor && this.container
          ? {
              clusterName: this.container.cluster.ref,
              taskDefinitionArn: this.container.taskDefinition.taskDefinitionArn,
              containerName: TASK_RUNNER_CONTAINER_NAME,
              logGroupName: this.container.logGroup.logGroupName,
              logStreamPrefix: TASK_RUNNER_LOG_STREAM_PREFIX,
            }
          : null,
    };
    const plain = functionEnvironments(config, resources);
    const layered = updraftConfigEnvironment(config, resources);
    const environments = Object.fromEntries(
      FUNCTION_NAMES.map((name) => [name, { ...definedOnly(plain[name]), ...(FUNCTION_CATALOG[name].readsUpdraftConfig ? layered : {}) }]),
    ) as Record<FunctionName, Record<string, string>>;
    this.functions = new UpdraftFunctions(this, 'Functions', { stage: config.stage, config, logRetention, environments });

    grantFunctionPermissions(this.functions.roles, {
      table: this.table,
      bucket: this.bucket.bucket,
      taskQueue: this.taskQueue.queue,
      triggerQueue: this.triggerQueue.queue,
      assetBuckets: config.assetBuckets,
      tokenKey,
      restApiJwtSecret,
      secretPrefixes: SECRET_PREFIXES,
      container: this.container,
      fargateExecutor,
      lambdaExecutor: config.executors.includes('lambda'),
      notificationTopicArns: config.notificationTopicArns,
    });

    this.events = new EventWiring(this, 'Events', {
      functions: this.functions.functions,
      bucketName: this.bucket.bucket.bucketName,
      taskQueue: this.taskQueue.queue,
      triggerQueue: this.triggerQueue.queue,
      eventDeadLetterQueue,
      endpoints: this.endpoints,
      cluster: fargateExecutor && this.container ? this.container.cluster : null,
      workerMaxConcurrency: Math.max(2, config.parallelism),
      assetBuckets: config.assetBuckets,
    });

    this.observability = new Observability(this, 'Observability', {
      stage: config.stage,
      namespace: metricsNamespace(config.stage),
      executors: config.executors,
      functions: this.functions.functions,
      taskQueue: this.taskQueue.queue,
      deadLetterQueue: this.taskQueue.deadLetterQueue,
      eventDeadLetterQueue,
      alarmEmail: config.alarmEmail ?? undefined,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      TableName: { value: this.table.tableName, description: 'Metastore DynamoDB table' },
      BucketName: { value: this.bucket.bucket.bucketName, description: 'DAGs (dags/), bundles, logs (logs/) and large XComs (xcom/)' },
      ExecutionApiUrl: { value: this.endpoints['execution-api'].url, description: 'Task Execution API (task runners only)' },
      RestApiUrl: { value: this.endpoints['rest-api'].url, description: 'REST API v2 base URL (set UPDRAFT_API_URL to it for the CLI)' },
      TaskQueueUrl: { value: this.taskQueue.queue.queueUrl, description: 'Lambda executor task queue' },
      TaskDeadLetterQueueUrl: {
        value: this.taskQueue.deadLetterQueue.queueUrl,
        description: `Task messages received ${TASK_QUEUE_MAX_RECEIVE_COUNT} times without success`,
      },
      EventDeadLetterQueueUrl: { value: eventDeadLetterQueue.queueUrl, description: 'DAG file events the DAG processor could not take' },
      TokenSigningKeySecretArn: { value: tokenKey.secretArn, description: 'Secret that signs task tokens' },
      AlarmTopicArn: { value: this.observability.alarmTopic.topicArn, description: 'SNS topic of the alarms: subscribe e-mail, chat or paging here' },
      DashboardName: { value: this.observability.dashboard.dashboardName, description: 'CloudWatch dashboard' },
    };
    if (this.container) {
      outputs.ClusterName = { value: this.container.cluster.ref, description: 'ECS cluster of the fargate executor' };
      outputs.TaskDefinitionArn = { value: this.container.taskDefinition.taskDefinitionArn, description: 'Task-runner task definition' };
    }
    for (const [name, output] of Object.entries(outputs)) new CfnOutput(this, name, output);
  }
}

function definedOnly(environment: object): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
