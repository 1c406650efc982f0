import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { FunctionName } from '../src/core/deployment/function-names.ts';
import { BUNDLE_PREFIX, DAG_PREFIX, LOG_PREFIX, XCOM_PREFIX } from '../src/core/model/bucket-layout.ts';
import type { TaskRunnerContainer } from './task-runner-container.ts';

export interface PermissionTargets {
  table: TableV2;
  bucket: Bucket;
  taskQueue: IQueue;
  /** Trigger batches: the scheduler sends, the triggerer receives (through its event source mapping). */
  triggerQueue?: IQueue;
  /** Users' buckets (the stack's assetBuckets) the triggerer may check for s3_key triggers. */
  assetBuckets?: readonly string[];
  tokenKey: ISecret;
  restApiJwtSecret: ISecret;
  /** Where the Execution API looks up connections and variables (Airflow's secrets backend prefixes). */
  secretPrefixes: readonly string[];
  container: TaskRunnerContainer | null;
  /** Which executors the scheduler and the fast path run attempts on. */
  fargateExecutor: boolean;
  lambdaExecutor: boolean;
  /** SNS topics task and DAG callbacks (`snsNotifier`) may publish to; none: no SNS permission at all. */
  notificationTopicArns?: readonly string[];
}

type Role = IGrantable & IConstruct;

/**
 * Who may do what, function by function. The rule that matters most: code that runs user tasks (the
 * worker function and the Fargate task role) gets no DynamoDB and no Secrets Manager permission; it
 * reaches state, variables and connections only through the Execution API with a per-attempt token.
 * S3 access is spelled out per prefix and per action rather than through `grantRead`/`grantReadWrite`,
 * which add List*, GetBucket*, Abort* and DeleteObject* that no function needs.
 */
export function grantFunctionPermissions(roles: Readonly<Record<FunctionName, Role>>, targets: PermissionTargets): void {
  const { table, tokenKey } = targets;
  const objects = new ObjectGrants(targets.bucket);

  // Scheduler: the metastore and the token key (it signs each attempt's token).
  grantTable(table, roles.scheduler, 'readWrite');
  tokenKey.grantRead(roles.scheduler);
  // A mapped task expands over an upstream's list: a large one is an XCom object in the bucket.
  objects.grant(roles.scheduler, ['s3:GetObject'], XCOM_PREFIX);

  // DAG processor: reads DAG files, writes the DAG bundles, records DAGs and import errors.
  grantTable(table, roles['dag-processor'], 'readWrite');
  objects.grant(roles['dag-processor'], ['s3:GetObject'], DAG_PREFIX);
  objects.grant(roles['dag-processor'], ['s3:PutObject'], BUNDLE_PREFIX);
  objects.grantList(roles['dag-processor'], [DAG_PREFIX, BUNDLE_PREFIX]);

  // Execution API: the metastore, large XComs, the token key, connections and variables.
  grantTable(table, roles['execution-api'], 'readWrite');
  objects.grant(roles['execution-api'], ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], XCOM_PREFIX);
  tokenKey.grantRead(roles['execution-api']);
  const secretArns = targets.secretPrefixes.map((prefix) =>
    Stack.of(table).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
  roles['execution-api'].grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: secretArns }),
  );
  Validations.of(roles['execution-api']).acknowledge(
    ...secretArns.map((arn) => ({
      id: `AwsSolutions-IAM5[Resource::${findingText(roles['execution-api'], arn)}]`,
      reason: 'Connections and variables are one secret each, created by users under this prefix (Airflow\'s secrets backend layout).',
    })),
  );

  // REST API: the metastore (pausing, triggering, clearing, variables, connections, pools, users), task
  // logs and DAG sources to show, large XComs to show and to delete when a task is cleared, and its own
  // token secret. Never the task token key: it cannot start or finish attempts.
  grantTable(table, roles['rest-api'], 'readWrite');
  objects.grant(roles['rest-api'], ['s3:GetObject'], LOG_PREFIX);
  objects.grant(roles['rest-api'], ['s3:GetObject'], DAG_PREFIX);
  objects.grant(roles['rest-api'], ['s3:GetObject', 's3:DeleteObject'], XCOM_PREFIX);
  targets.restApiJwtSecret.grantRead(roles['rest-api']);

  // Task code, in Lambda and in Fargate: DAG bundles and files in, task logs out. Nothing else.
  const taskRunners: Role[] = [roles.worker, ...(targets.container ? [targets.container.taskRole] : [])];
  for (const runner of taskRunners) {
    objects.grant(runner, ['s3:GetObject'], BUNDLE_PREFIX);
    objects.grant(runner, ['s3:GetObject'], DAG_PREFIX);
    objects.grant(runner, ['s3:PutObject'], LOG_PREFIX);
    // snsNotifier publishes from the runner, with its role: only to the topics the stack names.
    if (targets.notificationTopicArns?.length) {
      runner.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [...targets.notificationTopicArns] }));
    }
  }

  // Triggerer: like task code, no metastore and no secret; custom triggers' bundles, and s3_key checks
  // in the users' asset buckets only. The scheduler sends it the deferred tasks' triggers.
  objects.grant(roles.triggerer, ['s3:GetObject'], BUNDLE_PREFIX);
  if (targets.triggerQueue) targets.triggerQueue.grantSendMessages(roles.scheduler);
  if (targets.assetBuckets?.length) {
    const arn = (bucket: string) => Stack.of(table).formatArn({ service: 's3', region: '', account: '', resource: bucket });
    roles.triggerer.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: targets.assetBuckets.map((bucket) => arn(bucket)) }),
    );
    roles.triggerer.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: targets.assetBuckets.map((bucket) => `${arn(bucket)}/*`) }),
    );
    Validations.of(roles.triggerer).acknowledge(
      ...targets.assetBuckets.map((bucket) => ({
        id: `AwsSolutions-IAM5[Resource::${findingText(roles.triggerer, `${arn(bucket)}/*`)}]`,
        reason: 's3_key triggers wait for objects that users write at run time into their own asset buckets; read only.',
      })),
    );
  }

  // The executors live in the scheduler and in the Execution API's fast path.
  for (const executorHost of [roles.scheduler, roles['execution-api']]) {
    if (targets.lambdaExecutor) targets.taskQueue.grantSendMessages(executorHost);
    if (targets.fargateExecutor && targets.container) targets.container.grantRunTasks(executorHost);
  }
}

/** Table and index access; the `index/*` wildcard covers the table's own secondary indexes only. */
function grantTable(table: TableV2, role: Role, access: 'read' | 'readWrite'): void {
  if (access === 'read') table.grantReadData(role);
  else table.grantReadWriteData(role);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(table).getLogicalId(table.node.defaultChild as never)}.Arn>/index/*]`,
    reason: 'The metastore\'s own secondary indexes (their names are fixed by the table definition); no other table.',
  });
}

/** Object permissions on one prefix of the bucket, each acknowledged once per role for cdk-nag. */
class ObjectGrants {
  constructor(private readonly bucket: Bucket) {}

  grant(role: Role, actions: string[], prefix: string): void {
    const resource = this.bucket.arnForObjects(`${prefix}*`);
    role.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [resource] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${findingText(role, resource)}]`,
      reason: `Objects are created at run time under ${prefix}; access is limited to that prefix and to ${actions.join(', ')}.`,
    });
  }

  /** ListBucket limited to prefixes: lets a missing object answer 404 rather than 403 too. */
  grantList(role: Role, prefixes: string[]): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.flatMap((prefix) => [prefix, `${prefix}*`]) } },
      }),
    );
  }
}

/** How cdk-nag prints a resource in a finding id: tokens as `<LogicalId.Attribute>`, pseudo parameters as `<AWS::Region>`. */
function findingText(scope: IConstruct, value: string): string {
  const resolved = Stack.of(scope).resolve(value) as unknown;
  return render(resolved);
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Fn::GetAtt' in object) {
      const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
      return `<${logicalId}.${attribute}>`;
    }
    if ('Ref' in object) return `<${String(object.Ref)}>`;
  }
  return JSON.stringify(value);
}
