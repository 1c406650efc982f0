import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnCluster, ContainerImage, CpuArchitecture, FargateTaskDefinition, LogDrivers, OperatingSystemFamily } from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IgnoreMode } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { PROJECT_ROOT } from './function-bundles.ts';

/** The container the fargate executor overrides per attempt (`[fargate] container_name`). */
export const TASK_RUNNER_CONTAINER_NAME = 'task-runner';

/** The awslogs stream prefix (`[fargate] log_stream_prefix`): streams are `<prefix>/<container>/<task id>`. */
export const TASK_RUNNER_LOG_STREAM_PREFIX = 'updraft';

export interface TaskRunnerContainerProps {
  stage: string;
  cpu: number;
  memoryMb: number;
  logRetention: RetentionDays;
}

/**
 * What the fargate executor runs: an ECS cluster with the Fargate and Fargate Spot capacity providers, and
 * a task definition whose one container is the repository's Dockerfile, built for ARM64. The task role is
 * the task code's identity: it reads DAG bundles and writes logs in the bucket, and nothing else (the stack
 * grants those); above all it has no DynamoDB and no Secrets Manager permission.
 */
export class TaskRunnerContainer extends Construct {
  readonly cluster: CfnCluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly taskRole: Role;
  readonly executionRole: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TaskRunnerContainerProps) {
    super(scope, id);
    // L1 on purpose: the L2 Cluster creates a VPC when given none, and tasks get their subnets per RunTask.
    this.cluster = new CfnCluster(this, 'Cluster', {
      clusterName: `updraft-${props.stage}`,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'Container Insights bills per task metric; task outcomes and logs already reach CloudWatch (the executor gauges, ' +
        'ti_successes/ti_failures and the container log group). Turn it on with the cluster setting if you want per-task CPU/memory graphs.',
    });

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Updraft task code in Fargate: bundles and logs in the bucket only',
    });
    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS agent: pulls the task-runner image and writes the container log',
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      family: `updraft-${props.stage}-task-runner`,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMb,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which ECS needs to pull the image, has no resource-level permissions; the pull itself is limited to the image repository.',
    });
    this.taskDefinition.addContainer(TASK_RUNNER_CONTAINER_NAME, {
      containerName: TASK_RUNNER_CONTAINER_NAME,
      // Built by `cdk deploy` (Docker or Finch on the deploying machine); synth only stages the context.
      image: ContainerImage.fromAsset(PROJECT_ROOT, {
        file: 'Dockerfile',
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
      }),
      essential: true,
      logging: LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: TASK_RUNNER_LOG_STREAM_PREFIX }),
      // The runner reports a stopped attempt on SIGTERM; this is how long ECS waits before SIGKILL.
      stopTimeout: Duration.seconds(30),
    });
  }

  /**
   * What an executor (the scheduler, and the Execution API's fast path) needs to run attempts here:
   * RunTask of exactly this task definition in this cluster, StopTask and DescribeTasks of the cluster's
   * tasks, PassRole of exactly the two task roles to ECS, and reading the container log.
   */
  grantRunTasks(grantee: IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    const clusterArn = this.cluster.attrArn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
      }),
    );
    const clusterTasks = `task/${this.cluster.clusterName}/*`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` })],
        conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
      }),
    );
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:${clusterTasks}]`,
      reason: 'Task ids are assigned by ECS at RunTask; the wildcard covers only the tasks of Updraft\'s own cluster.',
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [this.taskRole.roleArn, this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:GetLogEvents'], resources: [`${this.logGroup.logGroupArn}`] }),
    );
  }
}
