import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContainerLogReader } from '../../../../src/aws/cloudwatch-logs/container-log-reader.ts';
import { EcsTaskLauncher, type EcsLaunchSettings } from '../../../../src/aws/ecs/ecs-task-launcher.ts';
import { EcsRunTaskError } from '../../../../src/aws/ecs/errors.ts';
import { FargateExecutor, type FargateExecutorOptions } from '../../../../src/aws/ecs/fargate-executor.ts';
import { ConfigError, ValidationError } from '../../../../src/core/errors.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { RecordingMetrics } from '../../../../src/core/ports/metrics.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import { provisioningTask, stoppedTask, taskArn } from './ecs-responses.ts';

const settings: EcsLaunchSettings = {
  cluster: 'updraft',
  taskDefinition: 'updraft-runner:3',
  containerName: 'runner',
  subnets: ['subnet-0a1b2c3d'],
  securityGroups: ['sg-0123456789abcdef0'],
  assignPublicIp: false,
  capacityProvider: 'FARGATE_SPOT',
  maxRunTaskAttempts: 2,
};
const environment = { UPDRAFT_EXECUTION_API_URL: 'https://api.example.com/execution', UPDRAFT_BUCKET: 'updraft-bucket' };
const run = { dagId: 'example_dag', runId: 'manual__2025-03-14T09:26:00+00:00' };

const ecs = mockClient(ECSClient);
const cwl = mockClient(CloudWatchLogsClient);

function attempt(taskId: string, tryNumber = 1, mapIndex = -1): TaskAttemptKey {
  return { ...run, taskId, mapIndex, tryNumber };
}

function workload(ti: TaskAttemptKey): ExecuteTaskWorkload {
  return {
    kind: 'ExecuteTask',
    ti,
    versionId: 'v-3f9a',
    bundleKey: 'bundles/example_dag/v-3f9a.mjs',
    logKey: `logs/${ti.taskId}`,
    token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    queuedAt: '2025-03-14T09:26:30.000Z',
  };
}

function record(ti: TaskAttemptKey, state: TaskInstanceRecord['state'], externalExecutorId: string | null): TaskInstanceRecord {
  return { ...newTaskInstance(run, serializedTask(ti.taskId)), state, tryNumber: ti.tryNumber, executor: 'fargate', externalExecutorId };
}

function executor(options: Partial<FargateExecutorOptions> = {}): FargateExecutor {
  const launcher = new EcsTaskLauncher(new ECSClient({ region: 'us-west-2' }), settings, { sleep: async () => {}, random: () => 0.5 });
  return new FargateExecutor({ launcher, environment, containerName: 'runner', ...options });
}

function logReader(): ContainerLogReader {
  return new ContainerLogReader(new CloudWatchLogsClient({ region: 'us-west-2' }), {
    logGroupName: '/updraft/task-runner',
    streamPrefix: 'updraft',
    containerName: 'runner',
  });
}

function runTaskInputs() {
  return ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  ecs.reset();
  cwl.reset();
});

describe('FargateExecutor: starting an attempt', () => {
  it('runs one ECS task per attempt, with the runner command, the workload in the environment, its size and tags', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('a1')], failures: [] });
    const fargate = executor();
    const ti = attempt('extract', 2, 4);

    await expect(fargate.queueWorkload(workload(ti), { executorConfig: { cpu: 1024, memory: 4096, image: 'ignored' } })).resolves.toEqual({
      externalId: taskArn('a1'),
    });

    const [input] = runTaskInputs();
    expect(input!.startedBy).toMatch(/^updraft-[0-9a-f]{20}$/);
    expect(input!.group).toBe('updraft:example_dag');
    expect(input!.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(input!.overrides!.cpu).toBe('1024');
    expect(input!.overrides!.memory).toBe('4096');
    const container = input!.overrides!.containerOverrides![0]!;
    expect(container.name).toBe('runner');
    expect(container.command).toEqual(['node', '/app/container-worker.mjs']);
    const env = Object.fromEntries(container.environment!.map((e) => [e.name, e.value]));
    expect(Object.keys(env).sort()).toEqual(['UPDRAFT_BUCKET', 'UPDRAFT_EXECUTION_API_URL', 'UPDRAFT_WORKLOAD']);
    expect(env.UPDRAFT_EXECUTION_API_URL).toBe('https://api.example.com/execution');
    expect(JSON.parse(env.UPDRAFT_WORKLOAD!)).toEqual(workload(ti));
    expect(input!.tags).toEqual([
      { key: 'updraft:dag_id', value: 'example_dag' },
      { key: 'updraft:task_id', value: 'extract' },
      { key: 'updraft:run_id', value: 'manual__2025-03-14T09:26:00+00:00' },
      { key: 'updraft:try_number', value: '2' },
      { key: 'updraft:map_index', value: '4' },
    ]);
    expect(fargate.slots).toMatchObject({ queued: 1, running: 0 });
  });

  it('gives the same attempt the same startedBy in every scheduler, and another try another one', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('a1')], failures: [] });
    await executor().queueWorkload(workload(attempt('extract', 1)));
    await executor().queueWorkload(workload(attempt('extract', 1)));
    await executor().queueWorkload(workload(attempt('extract', 2)));
    const startedBy = runTaskInputs().map((input) => input.startedBy);
    expect(startedBy[0]).toBe(startedBy[1]);
    expect(startedBy[2]).not.toBe(startedBy[0]);
    expect(startedBy[0]!.length).toBeLessThanOrEqual(36);
  });

  it('takes a custom command, and tag values cut to what ECS accepts', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask('a1')], failures: [] });
    const longRun = `manual__${'x'.repeat(300)}`;
    await executor({ command: ['node', '/app/other.mjs'] }).queueWorkload(workload({ ...attempt('load'), runId: longRun }));
    const [input] = runTaskInputs();
    expect(input!.overrides!.containerOverrides![0]!.command).toEqual(['node', '/app/other.mjs']);
    const runTag = input!.tags!.find((tag) => tag.key === 'updraft:run_id')!;
    expect(runTag.value).toHaveLength(256);
  });

  it('refuses an executorConfig size that is not a number, naming the task, and asks ECS nothing', async () => {
    const fargate = executor();
    const error = await fargate.queueWorkload(workload(attempt('extract')), { executorConfig: { cpu: '1 vCPU' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('example_dag/manual__2025-03-14T09:26:00+00:00/extract (try 1)');
    expect((error as ValidationError).message).toContain('executorConfig.cpu = "1 vCPU"');
    expect((error as ValidationError).field).toBe('executorConfig.cpu');
    expect(runTaskInputs()).toEqual([]);
    expect(fargate.slots.queued).toBe(0);
  });

  it('refuses a size Fargate does not offer, naming the task and the valid values', async () => {
    const error = await executor()
      .queueWorkload(workload(attempt('extract')), { executorConfig: { cpu: 1024, memory: 512 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^Task example_dag\/.*\/extract \(try 1\): Fargate cannot pair 1024 CPU units with 512 MiB/);
    expect(runTaskInputs()).toEqual([]);
  });

  it('lets a RunTask capacity failure propagate as EcsRunTaskError and tracks nothing', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', arn: 'arn:aws:ecs:us-west-2:111122223333:container-instance/x' }] });
    const fargate = executor();
    const error = await fargate.queueWorkload(workload(attempt('extract'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsRunTaskError);
    expect((error as EcsRunTaskError).retryable).toBe(true);
    expect((error as EcsRunTaskError).failures.map((f) => f.reason)).toEqual(['RESOURCE:MEMORY']);
    expect(runTaskInputs()).toHaveLength(2);
    expect(fargate.slots).toMatchObject({ queued: 0, running: 0 });
  });

  it('rejects a static environment that would hide the workload', () => {
    expect(() => executor({ environment: { UPDRAFT_WORKLOAD: '{}' } })).toThrow(ConfigError);
  });

  it('says what it is: a production executor that serves container logs and is named fargate', () => {
    const fargate = executor();
    expect(fargate.name).toBe('fargate');
    expect(fargate.capabilities).toEqual({ isLocal: false, isProduction: true, supportsCallbacks: false, servesLogs: true, supportsDelayedStart: false });
  });
});

describe('FargateExecutor: stopping and adopting', () => {
  it('stops the ECS task of an attempt, with a reason that says Updraft stopped it', async () => {
    ecs.on(StopTaskCommand).resolves({ task: stoppedTask('a1', 143) });
    await executor().stopAttempt(record(attempt('extract'), 'running', taskArn('a1')), 'execution_timeout of 0:10:00 exceeded');
    expect(ecs.commandCalls(StopTaskCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'updraft', task: taskArn('a1'), reason: 'updraft: execution_timeout of 0:10:00 exceeded' },
    ]);
  });

  it('stops nothing for an attempt without an ECS task', async () => {
    await executor().stopAttempt(record(attempt('extract'), 'queued', null), 'stuck in queued');
    await executor().stopAttempt(record(attempt('extract'), 'queued', 'some-message-id'), 'stuck in queued');
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  it('adopts attempts that name an ECS task, answers back the rest, and then syncs the adopted ones', async () => {
    const fargate = executor();
    const adopted = record(attempt('extract'), 'running', taskArn('a1'));
    const noArn = record(attempt('load'), 'queued', null);
    const foreign = record(attempt('report'), 'queued', 'msg-0f3c');
    await expect(fargate.reconcile([adopted, noArn, foreign])).resolves.toEqual([noArn, foreign]);
    expect(fargate.slots).toMatchObject({ queued: 0, running: 1 });

    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('a1', 0)], failures: [] });
    await fargate.sync();
    expect(ecs.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toEqual({ cluster: 'updraft', tasks: [taskArn('a1')] });
    expect(fargate.drainEvents()).toEqual([
      { attempt: attempt('extract'), state: 'success', reason: 'container exited 0', externalId: taskArn('a1') },
    ]);
  });
});

describe('FargateExecutor: container logs', () => {
  it('reads the container output from the awslogs stream of the task', async () => {
    cwl
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: 1, message: 'starting task extract\n' }, { timestamp: 2, message: 'done' }], nextForwardToken: 'f/1' })
      .resolves({ events: [], nextForwardToken: 'f/1' });
    const arn = taskArn('c13b4cb40f1f4fe4a2971f76ae5a47ad');
    await expect(executor({ logs: logReader() }).getTaskLog(attempt('extract'), arn)).resolves.toEqual({
      messages: [`Container output of ECS task ${arn}, from CloudWatch Logs stream "updraft/runner/c13b4cb40f1f4fe4a2971f76ae5a47ad".`],
      lines: ['starting task extract', 'done'],
    });
  });

  it('says so when the stream does not exist', async () => {
    cwl.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));
    const result = await executor({ logs: logReader() }).getTaskLog(attempt('extract'), taskArn('a1'));
    expect(result.lines).toEqual([]);
    expect(result.messages).toEqual([expect.stringContaining('CloudWatch Logs stream "updraft/runner/a1" does not exist')]);
  });

  it('says so when no log group is configured, or the attempt has no ECS task', async () => {
    const noReader = await executor().getTaskLog(attempt('extract'), taskArn('a1'));
    expect(noReader.lines).toEqual([]);
    expect(noReader.messages).toEqual([expect.stringContaining('set [fargate] log_group')]);
    const noTask = await executor({ logs: logReader() }).getTaskLog(attempt('extract'), null);
    expect(noTask).toEqual({ messages: [expect.stringContaining('No ECS task is recorded for example_dag/')], lines: [] });
    expect(cwl.commandCalls(GetLogEventsCommand)).toEqual([]);
  });

  it('turns a refused read into a message, not a broken log view', async () => {
    const denied = Object.assign(new Error('not authorized to perform logs:GetLogEvents'), { name: 'AccessDeniedException' });
    cwl.on(GetLogEventsCommand).rejects(denied);
    const result = await executor({ logs: logReader() }).getTaskLog(attempt('extract'), taskArn('a1'));
    expect(result).toEqual({ messages: [expect.stringContaining('logs:GetLogEvents')], lines: [] });
  });
});

describe('FargateExecutor: slot metrics', () => {
  it('reports open, queued and running slots with its name after a heartbeat', async () => {
    const metrics = new RecordingMetrics();
    const fargate = executor({ metrics, parallelism: 5 });
    ecs.on(RunTaskCommand).resolvesOnce({ tasks: [provisioningTask('a1')] }).resolves({ tasks: [provisioningTask('a2')] });
    await fargate.queueWorkload(workload(attempt('extract')));
    await fargate.queueWorkload(workload(attempt('load')));
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ ...provisioningTask('a1'), lastStatus: 'RUNNING', startedAt: new Date() }, provisioningTask('a2')] });

    await fargate.heartbeat();

    const last = (name: string) => metrics.named(name).at(-1);
    expect(last('executor.open_slots')).toMatchObject({ value: 3, dimensions: { executor: 'fargate' }, unit: 'Count' });
    expect(last('executor.queued_slots')).toMatchObject({ value: 1, dimensions: { executor: 'fargate' } });
    expect(last('executor.running_tasks')).toMatchObject({ value: 1, dimensions: { executor: 'fargate' } });
  });
});
