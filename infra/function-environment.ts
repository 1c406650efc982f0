import type { z } from 'zod';
import { configEnvVariable } from '../src/core/config/definitions.ts';
import type { FunctionName } from '../src/core/deployment/function-names.ts';
import type { dagProcessorEnvironmentSchema } from '../src/services/dag-processing/lambda-config.ts';
import type { executionApiEnvironmentSchema } from '../src/http/execution-api/lambda-config.ts';
import type { restApiEnvironmentSchema } from '../src/http/rest-api/lambda-config.ts';
import type { schedulerEnvironmentSchema } from '../src/services/scheduler/lambda-config.ts';
import type { workerEnvironmentSchema } from '../src/services/task-runner/worker-config.ts';
import type { triggererEnvironmentSchema } from '../src/services/triggerer/triggerer-config.ts';
import type { StackConfig } from './stack-config.ts';

/** The deployed resources a function's environment points at (tokens until deploy time). */
export interface EnvironmentResources {
  tableName: string;
  bucketName: string;
  taskQueueUrl: string;
  /** Trigger batches from the scheduler to the triggerer. */
  triggerQueueUrl: string;
  executionApiUrl: string;
  tokenKeySecretArn: string;
  /** The secret that signs REST API tokens. */
  restApiJwtSecretArn: string;
  /** Present when the deployment configures the fargate executor. */
  fargate: {
    clusterName: string;
    taskDefinitionArn: string;
    containerName: string;
    logGroupName: string;
    logStreamPrefix: string;
  } | null;
}

// Typed by each function's own schema: a variable the schema requires cannot be left out here, and one it
// does not know fails to compile (the infra tests also check the synthesized template against the schemas).
type Environments = {
  scheduler: z.input<typeof schedulerEnvironmentSchema>;
  'dag-processor': z.input<typeof dagProcessorEnvironmentSchema>;
  worker: z.input<typeof workerEnvironmentSchema>;
  'execution-api': z.input<typeof executionApiEnvironmentSchema>;
  'rest-api': z.input<typeof restApiEnvironmentSchema>;
  triggerer: z.input<typeof triggererEnvironmentSchema>;
};

/** The `UPDRAFT_*` variables of each function. */
export function functionEnvironments(config: StackConfig, resources: EnvironmentResources): { [Name in FunctionName]: Environments[Name] } {
  const usesLambda = config.executors.includes('lambda');
  const usesFargate = resources.fargate !== null;
  return {
    scheduler: {
      UPDRAFT_TABLE_NAME: resources.tableName,
      UPDRAFT_TOKEN_KEY_SECRET_ID: resources.tokenKeySecretArn,
      ...(usesLambda ? { UPDRAFT_TASK_QUEUE_URL: resources.taskQueueUrl } : {}),
      UPDRAFT_TRIGGER_QUEUE_URL: resources.triggerQueueUrl,
      // Mapped tasks over a large upstream list read its length from the bucket (and the fargate executor
      // tells the containers it starts where bundles live).
      UPDRAFT_BUCKET: resources.bucketName,
      ...(usesFargate ? { UPDRAFT_EXECUTION_API_URL: resources.executionApiUrl } : {}),
    },
    'dag-processor': {
      UPDRAFT_TABLE_NAME: resources.tableName,
      UPDRAFT_BUCKET: resources.bucketName,
      // Airflow's default: a new DAG waits for someone to unpause it.
      UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION: 'true',
    },
    worker: {
      UPDRAFT_EXECUTION_API_URL: resources.executionApiUrl,
      UPDRAFT_BUCKET: resources.bucketName,
    },
    'execution-api': {
      UPDRAFT_TABLE_NAME: resources.tableName,
      UPDRAFT_BUCKET: resources.bucketName,
      UPDRAFT_TOKEN_KEY_SECRET_ID: resources.tokenKeySecretArn,
      // The fast path queues downstream tasks itself, on the same executors as the tick.
      ...(usesLambda ? { UPDRAFT_TASK_QUEUE_URL: resources.taskQueueUrl } : {}),
      ...(usesFargate ? { UPDRAFT_EXECUTION_API_URL: resources.executionApiUrl } : {}),
    },
    triggerer: {
      UPDRAFT_EXECUTION_API_URL: resources.executionApiUrl,
      UPDRAFT_BUCKET: resources.bucketName,
    },
    'rest-api': {
      UPDRAFT_TABLE_NAME: resources.tableName,
      UPDRAFT_BUCKET: resources.bucketName,
      UPDRAFT_API_JWT_SECRET_ID: resources.restApiJwtSecretArn,
    },
  };
}

/** The deployment's layered configuration (`UPDRAFT__<SECTION>__<KEY>`), for the functions that read it. */
export function updraftConfigEnvironment(config: StackConfig, resources: EnvironmentResources): Record<string, string> {
  const variables: Record<string, string> = {
    [configEnvVariable('core', 'executor')]: config.executors.join(','),
    [configEnvVariable('core', 'parallelism')]: String(config.parallelism),
    [configEnvVariable('metrics', 'namespace')]: metricsNamespace(config.stage),
  };
  if (resources.fargate) {
    Object.assign(variables, {
      [configEnvVariable('fargate', 'cluster')]: resources.fargate.clusterName,
      [configEnvVariable('fargate', 'task_definition')]: resources.fargate.taskDefinitionArn,
      [configEnvVariable('fargate', 'container_name')]: resources.fargate.containerName,
      [configEnvVariable('fargate', 'subnets')]: config.fargateSubnetIds.join(','),
      [configEnvVariable('fargate', 'assign_public_ip')]: String(config.fargateAssignPublicIp),
      [configEnvVariable('fargate', 'log_group')]: resources.fargate.logGroupName,
      [configEnvVariable('fargate', 'log_stream_prefix')]: resources.fargate.logStreamPrefix,
    });
    if (config.fargateSecurityGroupIds.length > 0) {
      variables[configEnvVariable('fargate', 'security_groups')] = config.fargateSecurityGroupIds.join(',');
    }
  }
  return variables;
}

/** Each stage's metrics in a namespace of its own, so two stages in one account never mix on a graph. */
export function metricsNamespace(stage: string): string {
  return `Updraft/${stage}`;
}
