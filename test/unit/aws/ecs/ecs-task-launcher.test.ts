import { DescribeTasksCommand, ECSClient, InvalidParameterException, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EcsApiError, EcsConfigurationError, EcsRunTaskError } from '../../../../src/aws/ecs/errors.ts';
import { EcsTaskLauncher, type EcsLaunchSettings, type EcsRunRequest } from '../../../../src/aws/ecs/ecs-task-launcher.ts';
import { ecsError, provisioningTask, stoppedTask, taskArn } from './ecs-responses.ts';

const settings: EcsLaunchSettings = {
  cluster: 'updraft',
  taskDefinition: 'updraft-runner:3',
  containerName: 'runner',
  subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
  securityGroups: ['sg-0123456789abcdef0'],
  assignPublicIp: false,
  capacityProvider: 'FARGATE_SPOT',
};

const request: EcsRunRequest = {
  startedBy: 'ud-3f9a2c7e1b-1',
  group: 'updraft:example_dag',
  command: ['node', 'runner.mjs'],
  environment: { UPDRAFT_WORKLOAD: 'eyJ0aSI6ImV4YW1wbGUifQ==', UPDRAFT_API_URL: 'https://api.example.com' },
  cpu: 1024,
  memory: 2048,
  tags: { 'updraft:dag_id': 'example_dag', 'updraft:task_id': 'extract' },
};

const ecs = mockClient(ECSClient);
let sleeps: number[];

function launcher(overrides: Partial<EcsLaunchSettings> = {}): EcsTaskLauncher {
  return new EcsTaskLauncher(new ECSClient({ region: 'us-west-2' }), { ...settings, ...overrides }, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
}

beforeEach(() => {
  ecs.reset();
  sleeps = [];
});

describe('runTask', () => {
  it('runs one task with the container overrides, capacity provider and network of the settings', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('a1')], failures: [] });

    await expect(launcher().runTask(request)).resolves.toEqual({ taskArn: taskArn('a1') });

    const calls = ecs.commandCalls(RunTaskCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      cluster: 'updraft',
      taskDefinition: 'updraft-runner:3',
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'runner',
            command: ['node', 'runner.mjs'],
            environment: [
              { name: 'UPDRAFT_WORKLOAD', value: 'eyJ0aSI6ImV4YW1wbGUifQ==' },
              { name: 'UPDRAFT_API_URL', value: 'https://api.example.com' },
            ],
          },
        ],
        cpu: '1024',
        memory: '2048',
      },
      startedBy: 'ud-3f9a2c7e1b-1',
      group: 'updraft:example_dag',
      propagateTags: 'TASK_DEFINITION',
      tags: [
        { key: 'updraft:dag_id', value: 'example_dag' },
        { key: 'updraft:task_id', value: 'extract' },
      ],
    });
    expect(calls[0]!.args[0].input).not.toHaveProperty('launchType');
    expect(sleeps).toEqual([]);
  });

  it('leaves cpu, memory and tags out when the request has none, and honours platformVersion and public IPs', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('a2')], failures: [] });
    const { cpu: _cpu, memory: _memory, tags: _tags, ...plain } = request;

    await launcher({ platformVersion: '1.4.0', assignPublicIp: true, capacityProvider: 'FARGATE' }).runTask(plain);

    const input = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input.overrides).toEqual({
      containerOverrides: [expect.objectContaining({ name: 'runner' })],
    });
    expect(input.tags).toBeUndefined();
    expect(input.platformVersion).toBe('1.4.0');
    expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
  });

  it('retries a RESOURCE:MEMORY failure after a backoff and returns the task of the next call', async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [], failures: [{ arn: 'arn:aws:ecs:us-west-2:111122223333:container-instance/updraft/1f2e', reason: 'RESOURCE:MEMORY' }] })
      .resolvesOnce({ tasks: [provisioningTask('b1')], failures: [] });

    await expect(launcher().runTask(request)).resolves.toEqual({ taskArn: taskArn('b1') });

    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    // Full jitter over the first ceiling (1000 ms) with random() = 0.5.
    expect(sleeps).toEqual([500]);
  });

  it('gives up after maxRunTaskAttempts when capacity stays unavailable, with a retryable error', async () => {
    const capacity = { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' };
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [capacity] });

    const error = await launcher({ maxRunTaskAttempts: 4, baseRetryDelayMs: 1000 }).runTask(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EcsRunTaskError);
    const runError = error as EcsRunTaskError;
    expect(runError.retryable).toBe(true);
    expect(runError.code).toBe('ecs_run_task_retryable');
    expect(runError.attempts).toBe(4);
    expect(runError.failures).toEqual([{ reason: capacity.reason, detail: null, arn: null }]);
    expect(runError.message).toContain('Capacity is unavailable');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('caps the backoff at 20 seconds', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:CPU' }] });

    await launcher({ maxRunTaskAttempts: 4, baseRetryDelayMs: 15_000 }).runTask(request).catch(() => undefined);

    expect(sleeps).toEqual([7_500, 10_000, 10_000]);
  });

  it('does not retry MISSING: the task definition does not exist', async () => {
    ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [{ arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/updraft-runner:3', reason: 'MISSING' }],
    });

    const error = (await launcher().runTask(request).catch((e: unknown) => e)) as EcsRunTaskError;

    expect(error).toBeInstanceOf(EcsRunTaskError);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('ecs_run_task_failed');
    expect(error.failures[0]!.reason).toBe('MISSING');
    expect(error.message).toContain('updraft-runner:3');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries AGENT and RESOURCE:ENI failures', async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ failures: [{ reason: 'AGENT' }] })
      .resolvesOnce({ failures: [{ reason: 'RESOURCE:ENI' }] })
      .resolvesOnce({ tasks: [provisioningTask('c1')] });

    await expect(launcher().runTask(request)).resolves.toEqual({ taskArn: taskArn('c1') });
  });

  it('retries a ThrottlingException and then succeeds', async () => {
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(ecsError('ThrottlingException', 'Rate exceeded'))
      .resolvesOnce({ tasks: [provisioningTask('d1')], failures: [] });

    await expect(launcher().runTask(request)).resolves.toEqual({ taskArn: taskArn('d1') });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('reports exhausted throttling as retryable, with the SDK error as cause', async () => {
    const throttled = ecsError('ThrottlingException', 'Rate exceeded');
    ecs.on(RunTaskCommand).rejects(throttled);

    const error = (await launcher().runTask(request).catch((e: unknown) => e)) as EcsRunTaskError;

    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(throttled);
    expect(error.message).toContain('ThrottlingException');
  });

  it('retries a ServerException', async () => {
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(ecsError('ServerException', 'Service unavailable. Please try again later.', 500))
      .resolvesOnce({ tasks: [provisioningTask('e1')] });

    await expect(launcher().runTask(request)).resolves.toEqual({ taskArn: taskArn('e1') });
  });

  it('does not retry an InvalidParameterException', async () => {
    ecs.on(RunTaskCommand).rejects(
      new InvalidParameterException({
        $metadata: { httpStatusCode: 400 },
        message: 'No Container Instances were found in your capacity provider.',
      }),
    );

    const error = (await launcher().runTask(request).catch((e: unknown) => e)) as EcsRunTaskError;

    expect(error.retryable).toBe(false);
    expect(error.message).toContain('InvalidParameterException');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('does not call again when ECS could not be reached, but reports the failure as retryable', async () => {
    ecs.on(RunTaskCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));

    const error = (await launcher().runTask(request).catch((e: unknown) => e)) as EcsRunTaskError;

    expect(error).toBeInstanceOf(EcsRunTaskError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Could not reach ECS');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('refuses a cpu value Fargate does not offer, naming the valid ones, without calling ECS', async () => {
    const error = (await launcher().runTask({ ...request, cpu: 1000, memory: 2048 }).catch((e: unknown) => e)) as EcsConfigurationError;

    expect(error).toBeInstanceOf(EcsConfigurationError);
    expect(error.field).toBe('cpu');
    expect(error.message).toContain('256, 512, 1024, 2048, 4096, 8192, 16384');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses a memory value that does not pair with the cpu, naming the valid range', async () => {
    const error = (await launcher().runTask({ ...request, cpu: 256, memory: 4096 }).catch((e: unknown) => e)) as EcsConfigurationError;

    expect(error).toBeInstanceOf(EcsConfigurationError);
    expect(error.field).toBe('memory');
    expect(error.message).toContain('512, 1024, 2048');
  });

  it('accepts the largest sizes Fargate offers', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('f1')] });

    await expect(launcher().runTask({ ...request, cpu: 16384, memory: 122880 })).resolves.toEqual({ taskArn: taskArn('f1') });
    await expect(launcher().runTask({ ...request, cpu: 4096, memory: 30720 })).resolves.toEqual({ taskArn: taskArn('f1') });
  });

  it('refuses overrides larger than the 8 KiB ECS allows, naming the largest variables', async () => {
    const error = (await launcher()
      .runTask({ ...request, environment: { ...request.environment, UPDRAFT_BIG: 'x'.repeat(8000) } })
      .catch((e: unknown) => e)) as EcsConfigurationError;

    expect(error).toBeInstanceOf(EcsConfigurationError);
    expect(error.message).toContain('8192');
    expect(error.message).toContain('UPDRAFT_BIG (8000)');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses a startedBy that ECS would reject', async () => {
    await expect(launcher().runTask({ ...request, startedBy: 'x'.repeat(37) })).rejects.toThrow(EcsConfigurationError);
    await expect(launcher().runTask({ ...request, startedBy: 'dag:task' })).rejects.toThrow(/startedBy/);
  });

  it("sanitises the group to ECS's characters and 255-character limit", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('g1')] });

    await launcher().runTask({ ...request, group: `updraft:my dag ü/${'a'.repeat(300)}` });

    const group = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.group!;
    expect(group.startsWith('updraft:my_dag__/')).toBe(true);
    expect(group).toHaveLength(255);
  });

  it('refuses tags with the reserved aws: prefix', async () => {
    await expect(launcher().runTask({ ...request, tags: { 'aws:owner': 'me' } })).rejects.toThrow(/reserved prefix/);
  });
});

describe('stopTask', () => {
  it('stops the task on the cluster with the reason', async () => {
    ecs.on(StopTaskCommand).resolves({ task: stoppedTask('h1', 143) });

    await launcher().stopTask(taskArn('h1'), 'updraft: execution_timeout exceeded');

    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({
      cluster: 'updraft',
      task: taskArn('h1'),
      reason: 'updraft: execution_timeout exceeded',
    });
  });

  it('trims the reason to the 255 characters ECS keeps', async () => {
    ecs.on(StopTaskCommand).resolves({});

    await launcher().stopTask(taskArn('h2'), 'r'.repeat(400));

    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input.reason).toHaveLength(255);
  });

  it('treats a task ECS no longer knows as already stopped', async () => {
    ecs.on(StopTaskCommand).rejects(
      new InvalidParameterException({ $metadata: { httpStatusCode: 400 }, message: 'The referenced task was not found.' }),
    );

    await expect(launcher().stopTask(taskArn('h3'), 'clear')).resolves.toBeUndefined();
  });

  it('treats stopping an already stopped task as done', async () => {
    ecs.on(StopTaskCommand).resolves({ task: stoppedTask('h4', 0) });

    await expect(launcher().stopTask(taskArn('h4'), 'clear')).resolves.toBeUndefined();
  });

  it('retries throttling, and reports other failures with the operation named', async () => {
    ecs
      .on(StopTaskCommand)
      .rejectsOnce(ecsError('ThrottlingException', 'Rate exceeded'))
      .resolvesOnce({});
    await expect(launcher().stopTask(taskArn('h5'), 'clear')).resolves.toBeUndefined();
    expect(sleeps).toHaveLength(1);

    ecs.reset();
    ecs.on(StopTaskCommand).rejects(ecsError('ClusterNotFoundException', 'Cluster not found.'));
    const error = (await launcher().stopTask(taskArn('h6'), 'clear').catch((e: unknown) => e)) as EcsApiError;
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error.operation).toBe('StopTask');
    expect(error.message).toContain('ClusterNotFoundException');
  });
});

describe('describeTasks', () => {
  it('describes in chunks of 100 and returns snapshots of the tasks', async () => {
    const ids = Array.from({ length: 205 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) => stoppedTask(arn.slice(arn.lastIndexOf('/') + 1), 0)),
      failures: [],
    }));

    const result = await launcher().describeTasks(ids.map(taskArn));

    const calls = ecs.commandCalls(DescribeTasksCommand);
    expect(calls.map((c) => c.args[0].input.tasks!.length)).toEqual([100, 100, 5]);
    expect(calls[0]!.args[0].input.cluster).toBe('updraft');
    expect(result.missing).toEqual([]);
    expect(result.tasks).toHaveLength(205);
    expect(result.tasks[0]).toEqual({
      taskArn: taskArn('t000'),
      startedBy: 'ud-3f9a2c7e1b-1',
      group: 'updraft:example_dag',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      capacityProviderName: 'FARGATE',
      containers: [{ name: 'runner', exitCode: 0, reason: null, lastStatus: 'STOPPED' }],
      createdAt: new Date('2025-03-14T09:26:34.402Z'),
      startedAt: new Date('2025-03-14T09:26:58.103Z'),
      stoppedAt: new Date('2025-03-14T09:41:15.004Z'),
    });
  });

  it('returns the tasks ECS answers MISSING for in missing', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [stoppedTask('k1', 1)],
      failures: [{ arn: taskArn('k2'), reason: 'MISSING' }],
    });

    const result = await launcher().describeTasks([taskArn('k1'), taskArn('k2')]);

    expect(result.tasks.map((t) => t.taskArn)).toEqual([taskArn('k1')]);
    expect(result.missing).toEqual([taskArn('k2')]);
  });

  it('makes no call for an empty list', async () => {
    await expect(launcher().describeTasks([])).resolves.toEqual({ tasks: [], missing: [] });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('retries a throttled DescribeTasks', async () => {
    ecs
      .on(DescribeTasksCommand)
      .rejectsOnce(ecsError('ThrottlingException', 'Rate exceeded'))
      .resolvesOnce({ tasks: [provisioningTask('m1')], failures: [] });

    const result = await launcher().describeTasks([taskArn('m1')]);

    expect(result.tasks[0]!.lastStatus).toBe('PROVISIONING');
    expect(sleeps).toHaveLength(1);
  });
});
