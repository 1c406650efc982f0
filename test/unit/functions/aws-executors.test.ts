import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createAwsExecutors, type AwsExecutorEnvironment } from '../../../functions/wiring/aws-executors.ts';
import { UpdraftConfig } from '../../../src/core/config/updraft-config.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { ManualClock } from '../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { noopMetrics } from '../../../src/core/ports/metrics.ts';

const FARGATE_ENV = {
  UPDRAFT__CORE__EXECUTOR: 'lambda,fargate',
  UPDRAFT__CORE__PARALLELISM: '8',
  UPDRAFT__FARGATE__CLUSTER: 'updraft',
  UPDRAFT__FARGATE__TASK_DEFINITION: 'updraft-task-runner:3',
  UPDRAFT__FARGATE__SUBNETS: 'subnet-a,subnet-b',
  UPDRAFT__FARGATE__SECURITY_GROUPS: 'sg-1',
  UPDRAFT__FARGATE__CAPACITY_PROVIDER: 'FARGATE_SPOT',
};
const ENV: AwsExecutorEnvironment = {
  taskQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/updraft-tasks',
  executionApiUrl: 'https://api.example.com',
  bucket: 'updraft-bucket',
};

function deps(ecs = new ECSClient({ region: 'eu-west-1' })) {
  return { logger: silentLogger, metrics: noopMetrics, clock: new ManualClock('2026-01-01T00:00:00Z'), sqs: () => new SQSClient({ region: 'eu-west-1' }), ecs: () => ecs };
}

describe('createAwsExecutors', () => {
  it('builds lambda and fargate from core.executor, with core.parallelism and the [fargate] settings', async () => {
    const ecs = new ECSClient({ region: 'eu-west-1' });
    const mock = mockClient(ecs);
    mock.on(RunTaskCommand).resolves({
      tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/updraft/0123456789abcdef0123456789abcdef' }],
      failures: [],
    });
    const registry = await createAwsExecutors(UpdraftConfig.resolve({ env: FARGATE_ENV }), ENV, deps(ecs));
    expect(registry.names).toEqual(['lambda', 'fargate']);
    expect(registry.resolve('fargate').slots.parallelism).toBe(8);
    const ti = { dagId: 'etl', runId: 'manual__1', taskId: 'train', mapIndex: -1, tryNumber: 1 };
    const handed = await registry.resolve('fargate').queueWorkload(
      { kind: 'ExecuteTask', ti, versionId: 'v1', bundleKey: 'b', logKey: 'l', token: 't', queuedAt: '2026-01-01T00:00:00Z' },
      { executorConfig: { cpu: 1024, memory: 4096 } },
    );
    expect(handed.externalId).toMatch(/^arn:aws:ecs:/);
    const input = mock.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      cluster: 'updraft',
      taskDefinition: 'updraft-task-runner:3',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: { cpu: '1024', memory: '4096' },
    });
    const environment = input.overrides?.containerOverrides?.[0]?.environment ?? [];
    expect(environment).toEqual(
      expect.arrayContaining([
        { name: 'UPDRAFT_EXECUTION_API_URL', value: 'https://api.example.com' },
        { name: 'UPDRAFT_BUCKET', value: 'updraft-bucket' },
      ]),
    );
  });

  it('says what is missing: a [fargate] key, the function environment, or a local-only executor', async () => {
    const failure = async (env: Record<string, string>, environment = ENV) => {
      const error = await createAwsExecutors(UpdraftConfig.resolve({ env }), environment, deps()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    };
    const { UPDRAFT__FARGATE__CLUSTER: _, ...withoutCluster } = FARGATE_ENV;
    expect(await failure(withoutCluster)).toMatch(/\[fargate\] cluster is not set\. .*UPDRAFT__FARGATE__CLUSTER=/);
    expect(await failure(FARGATE_ENV, { ...ENV, executionApiUrl: null })).toBe(
      'Executor "fargate" is configured, but UPDRAFT_EXECUTION_API_URL is not set for this function; the CDK stack sets it.',
    );
    expect(await failure({ UPDRAFT__CORE__EXECUTOR: 'lambda' }, { ...ENV, taskQueueUrl: null })).toMatch(/UPDRAFT_TASK_QUEUE_URL is not set/);
    expect(await failure({ UPDRAFT__CORE__EXECUTOR: 'local' })).toMatch(/for updraft standalone only\. In AWS configure lambda or fargate/);
  });
});
