import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ContainerLogReader } from '../../src/aws/cloudwatch-logs/index.ts';
import { EcsTaskLauncher, FargateExecutor } from '../../src/aws/ecs/index.ts';
import { SqsExecutor } from '../../src/aws/sqs/sqs-executor.ts';
import type { UpdraftConfig } from '../../src/core/config/updraft-config.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { ExecutorRegistry } from '../../src/core/ports/executor.ts';
import type { Logger } from '../../src/core/ports/logger.ts';
import type { Metrics } from '../../src/core/ports/metrics.ts';
import { loadExecutors } from '../../src/services/executors/executor-loader.ts';

/** What the function's own environment tells the executors (the CDK stack sets these). */
export interface AwsExecutorEnvironment {
  /** UPDRAFT_TASK_QUEUE_URL: the `lambda` executor's queue. */
  taskQueueUrl: string | null;
  /** UPDRAFT_EXECUTION_API_URL and UPDRAFT_BUCKET: what `fargate` containers are told. */
  executionApiUrl: string | null;
  bucket: string | null;
}

export interface AwsExecutorDeps {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  sqs: () => SQSClient;
  ecs?: () => ECSClient;
  logs?: () => CloudWatchLogsClient;
}

/** `core.executor` as AWS runs it: `lambda` on SQS and the worker function, `fargate` on ECS. */
export async function createAwsExecutors(config: UpdraftConfig, env: AwsExecutorEnvironment, deps: AwsExecutorDeps): Promise<ExecutorRegistry> {
  const common = { parallelism: config.getInteger('core', 'parallelism'), logger: deps.logger, metrics: deps.metrics, clock: deps.clock };
  return loadExecutors({
    specs: config.executors(),
    builtins: {
      lambda: (name) => new SqsExecutor({ ...common, name, client: deps.sqs(), queueUrl: required(env.taskQueueUrl, 'UPDRAFT_TASK_QUEUE_URL', name) }),
      fargate: (name) => fargateExecutor(name, config, env, deps, common),
    },
    unavailableBuiltin: (name) =>
      `the "${name}" executor runs tasks as child processes of the scheduler; it is for updraft standalone only. ` +
      'In AWS configure lambda or fargate (UPDRAFT__CORE__EXECUTOR).',
    customOptions: common,
    baseDir: process.cwd(),
    environment: 'aws',
    logger: deps.logger,
  });
}

function fargateExecutor(
  name: string,
  config: UpdraftConfig,
  env: AwsExecutorEnvironment,
  deps: AwsExecutorDeps,
  common: { parallelism: number; logger: Logger; metrics: Metrics; clock: Clock },
): FargateExecutor {
  const containerName = config.getString('fargate', 'container_name');
  const subnets = config.getList('fargate', 'subnets');
  if (subnets.length === 0) {
    throw new ConfigError('[fargate] subnets is empty: name the subnets of the tasks\' network interfaces (UPDRAFT__FARGATE__SUBNETS=subnet-a,subnet-b).');
  }
  const launcher = new EcsTaskLauncher((deps.ecs ?? (() => new ECSClient({})))(), {
    cluster: config.getString('fargate', 'cluster'),
    taskDefinition: config.getString('fargate', 'task_definition'),
    containerName,
    subnets,
    securityGroups: config.getList('fargate', 'security_groups'),
    assignPublicIp: config.getBoolean('fargate', 'assign_public_ip'),
    capacityProvider: config.getString('fargate', 'capacity_provider') as 'FARGATE' | 'FARGATE_SPOT',
    platformVersion: config.getString('fargate', 'platform_version'),
    maxRunTaskAttempts: config.getInteger('fargate', 'max_run_task_attempts'),
  });
  const logGroup = config.getOptionalString('fargate', 'log_group');
  const logs = logGroup
    ? new ContainerLogReader((deps.logs ?? (() => new CloudWatchLogsClient({})))(), {
        logGroupName: logGroup,
        streamPrefix: config.getString('fargate', 'log_stream_prefix'),
        containerName,
      })
    : undefined;
  return new FargateExecutor({
    ...common,
    name,
    launcher,
    logs,
    containerName,
    environment: {
      UPDRAFT_EXECUTION_API_URL: required(env.executionApiUrl, 'UPDRAFT_EXECUTION_API_URL', name),
      UPDRAFT_BUCKET: required(env.bucket, 'UPDRAFT_BUCKET', name),
    },
  });
}

function required(value: string | null, variable: string, executor: string): string {
  if (value) return value;
  throw new ConfigError(`Executor "${executor}" is configured, but ${variable} is not set for this function; the CDK stack sets it.`);
}
