import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { readFileSync } from 'node:fs';
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EcsTaskLauncher, type EcsLaunchSettings } from '../../../../src/aws/ecs/ecs-task-launcher.ts';
import { EcsEventFormatError } from '../../../../src/aws/ecs/errors.ts';
import { FargateExecutor, type FargateExecutorOptions } from '../../../../src/aws/ecs/fargate-executor.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import { ecsError, provisioningTask, stoppedTask, taskArn } from './ecs-responses.ts';

/** How the fargate executor turns what ECS says about a task into executor events, by sync and by event. */

const settings: EcsLaunchSettings = {
  cluster: 'updraft',
  taskDefinition: 'updraft-runner:3',
  containerName: 'runner',
  subnets: ['subnet-0a1b2c3d'],
  securityGroups: [],
  assignPublicIp: false,
  capacityProvider: 'FARGATE_SPOT',
  maxRunTaskAttempts: 1,
};
/** The task of every event fixture. */
const FIXTURE_TASK = 'c13b4cb40f1f4fe4a2971f76ae5a47ad';
const run = { dagId: 'example_dag', runId: 'scheduled__2025-03-14T09:00:00+00:00' };
const ti: TaskAttemptKey = { ...run, taskId: 'extract', mapIndex: -1, tryNumber: 1 };

const ecs = mockClient(ECSClient);
let warnings: string[];

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/ecs/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function workload(attempt: TaskAttemptKey): ExecuteTaskWorkload {
  return {
    kind: 'ExecuteTask',
    ti: attempt,
    versionId: 'v-3f9a',
    bundleKey: 'bundles/example_dag/v-3f9a.mjs',
    logKey: `logs/${attempt.taskId}`,
    token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    queuedAt: '2025-03-14T09:00:05.000Z',
  };
}

function executor(options: Partial<FargateExecutorOptions> = {}): FargateExecutor {
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  const launcher = new EcsTaskLauncher(new ECSClient({ region: 'us-west-2' }), settings, { sleep: async () => {}, random: () => 0.5 });
  return new FargateExecutor({ launcher, environment: {}, containerName: 'runner', logger, ...options });
}

/** An executor tracking `ti` on the ECS task of the event fixtures. */
async function launched(options: Partial<FargateExecutorOptions> = {}): Promise<FargateExecutor> {
  const fargate = executor(options);
  ecs.on(RunTaskCommand).resolves({ tasks: [provisioningTask(FIXTURE_TASK)], failures: [] });
  await fargate.queueWorkload(workload(ti));
  return fargate;
}

beforeEach(() => {
  ecs.reset();
  warnings = [];
});

describe('FargateExecutor.sync (DescribeTasks)', () => {
  it('reports an attempt whose container exited 0 as success and frees its slot', async () => {
    const fargate = await launched();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(FIXTURE_TASK, 0)], failures: [] });
    await fargate.sync();
    expect(fargate.drainEvents()).toEqual([{ attempt: ti, state: 'success', reason: 'container exited 0', externalId: taskArn(FIXTURE_TASK) }]);
    expect(fargate.slots).toMatchObject({ queued: 0, running: 0 });
  });

  it('reports a non-zero exit as failed, with the exit code and the stop reason of ECS', async () => {
    const fargate = await launched();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(FIXTURE_TASK, 1)], failures: [] });
    await fargate.sync();
    const [event] = fargate.drainEvents();
    expect(event).toMatchObject({ attempt: ti, state: 'failed' });
    expect(event!.reason).toBe(`ECS task ${FIXTURE_TASK} failed: Container "runner" exited with code 1; Essential container in task exited`);
  });

  it('reports nothing for a task that is still provisioning, and counts a running one as running', async () => {
    const fargate = await launched();
    ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [provisioningTask(FIXTURE_TASK)] });
    await fargate.sync();
    expect(fargate.slots).toMatchObject({ queued: 1, running: 0 });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ ...provisioningTask(FIXTURE_TASK), lastStatus: 'RUNNING', startedAt: new Date() }] });
    await fargate.sync();
    expect(fargate.drainEvents()).toEqual([]);
    expect(fargate.slots).toMatchObject({ queued: 0, running: 1 });
  });

  it('fails an attempt whose task ECS reports MISSING, after a grace for a task it just started, saying what to check', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const fargate = await launched({ clock });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: taskArn(FIXTURE_TASK), reason: 'MISSING' }] });
    // DescribeTasks is eventually consistent right after RunTask.
    clock.advanceSeconds(30);
    await fargate.sync();
    expect(fargate.drainEvents()).toEqual([]);
    clock.advanceSeconds(31);
    await fargate.sync();
    const [event] = fargate.drainEvents();
    expect(event).toMatchObject({ attempt: ti, state: 'failed', externalId: taskArn(FIXTURE_TASK) });
    expect(event!.reason).toContain(`ECS no longer knows task ${taskArn(FIXTURE_TASK)}`);
    expect(event!.reason).toContain("fargate executor's cluster setting");
  });

  it('leaves attempts alone when DescribeTasks fails, and says so', async () => {
    const fargate = await launched();
    ecs.on(DescribeTasksCommand).rejects(ecsError('AccessDeniedException', 'not authorized to perform ecs:DescribeTasks'));
    await expect(fargate.sync()).resolves.toBeUndefined();
    expect(fargate.drainEvents()).toEqual([]);
    expect(fargate.slots.queued).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('ecs:DescribeTasks')]);
  });

  it('asks ECS nothing when no tracked attempt has a task', async () => {
    const fargate = executor();
    await fargate.reconcile([{ ...newTaskInstance(run, serializedTask('extract')), state: 'running', tryNumber: 1, externalExecutorId: taskArn('a1') }]);
    await fargate.reconcile([]);
    await fargate.sync();
    expect(ecs.commandCalls(DescribeTasksCommand)).toEqual([]);
  });
});

describe('FargateExecutor.acceptTaskStateChange (EventBridge)', () => {
  it('ignores events that are not ECS task state changes, or about tasks it does not track', async () => {
    const fargate = await launched();
    expect(fargate.acceptTaskStateChange({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toBe(false);
    const other = fixture('task-stopped-exit-0.json');
    const detail = other.detail as Record<string, unknown>;
    expect(fargate.acceptTaskStateChange({ ...other, detail: { ...detail, taskArn: taskArn('someone-elses') } })).toBe(false);
    expect(fargate.drainEvents()).toEqual([]);
  });

  it('throws on an event that claims to be a task state change but lacks its fields', async () => {
    const fargate = await launched();
    expect(() => fargate.acceptTaskStateChange({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {} })).toThrow(
      EcsEventFormatError,
    );
  });

  it('marks the attempt running on a RUNNING event, and succeeds it on exit 0, once', async () => {
    const fargate = await launched();
    expect(fargate.acceptTaskStateChange(fixture('task-running.json'))).toBe(true);
    expect(fargate.slots).toMatchObject({ queued: 0, running: 1 });
    // A Spot interruption notice arrives while the task still runs: nothing has ended yet.
    expect(fargate.acceptTaskStateChange(fixture('task-spot-interruption-notice.json'))).toBe(true);
    expect(fargate.drainEvents()).toEqual([]);

    expect(fargate.acceptTaskStateChange(fixture('task-stopped-exit-0.json'))).toBe(true);
    // EventBridge delivers at least once: the same event again is about nothing tracked.
    expect(fargate.acceptTaskStateChange(fixture('task-stopped-exit-0.json'))).toBe(false);
    expect(fargate.drainEvents()).toEqual([{ attempt: ti, state: 'success', reason: 'container exited 0', externalId: taskArn(FIXTURE_TASK) }]);
  });

  it('fails an attempt whose container ran out of memory, saying to raise memory', async () => {
    const fargate = await launched();
    fargate.acceptTaskStateChange(fixture('task-stopped-out-of-memory.json'));
    const [event] = fargate.drainEvents();
    expect(event!.state).toBe('failed');
    expect(event!.reason).toContain('OutOfMemoryError');
    expect(event!.reason).toContain("raise memory in the task's executorConfig");
    expect(event!.reason).toContain('(ECS: Essential container in task exited)');
  });

  it('reports a task Updraft stopped as stopped by Updraft', async () => {
    const fargate = await launched();
    fargate.acceptTaskStateChange(fixture('task-user-initiated.json'));
    expect(fargate.drainEvents()).toEqual([
      { attempt: ti, state: 'failed', reason: 'stopped by Updraft: execution_timeout of 1:00:00 exceeded', externalId: taskArn(FIXTURE_TASK) },
    ]);
  });

  it('tells a stop from outside Updraft apart', async () => {
    const fargate = await launched();
    const event = fixture('task-user-initiated.json');
    fargate.acceptTaskStateChange({ ...event, detail: { ...(event.detail as object), stoppedReason: 'Task stopped by user' } });
    const [reported] = fargate.drainEvents();
    expect(reported!.state).toBe('failed');
    expect(reported!.reason).toContain('did not come from Updraft');
    expect(reported!.reason).toContain('Task stopped by user');
  });

  it('requeues a Spot-interrupted attempt up to maxRequeues times, then fails it', async () => {
    const fargate = await launched({ maxRequeues: 2 });
    for (const round of [1, 2]) {
      expect(fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'))).toBe(true);
      const [event] = fargate.drainEvents();
      expect(event).toMatchObject({ attempt: ti, state: 'requeue' });
      expect(event!.reason).toContain('was interrupted: Your Spot Task was interrupted.');
      expect(event!.reason).toContain(`${round} of at most 2`);
      expect(fargate.slots.queued).toBe(0);
      // The scheduler sends the same try again.
      await fargate.queueWorkload(workload(ti));
    }
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    const [failed] = fargate.drainEvents();
    expect(failed).toMatchObject({ attempt: ti, state: 'failed' });
    expect(failed!.reason).toContain('interrupted or could not start 3 times');
    expect(failed!.reason).toContain('(maxRequeues is 2)');
    expect(warnings).toHaveLength(2);
  });

  it('requeues a task that never started (image pull failure)', async () => {
    const fargate = await launched();
    fargate.acceptTaskStateChange(fixture('task-failed-to-start-cannot-pull.json'));
    const [event] = fargate.drainEvents();
    expect(event).toMatchObject({ state: 'requeue' });
    expect(event!.reason).toContain('could not start: CannotPullContainerError');
  });

  it('counts requeues per attempt: another try starts from zero', async () => {
    const fargate = await launched({ maxRequeues: 1 });
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    expect(fargate.drainEvents().map((e) => e.state)).toEqual(['requeue']);
    const nextTry = { ...ti, tryNumber: 2 };
    await fargate.queueWorkload(workload(nextTry));
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    expect(fargate.drainEvents()).toEqual([expect.objectContaining({ attempt: nextTry, state: 'requeue' })]);
  });

  it('keeps the count when sending the requeued attempt again fails on capacity', async () => {
    const fargate = await launched({ maxRequeues: 1 });
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    expect(fargate.drainEvents().map((e) => e.state)).toEqual(['requeue']);
    ecs.reset();
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] })
      .resolves({ tasks: [provisioningTask(FIXTURE_TASK)], failures: [] });
    await expect(fargate.queueWorkload(workload(ti))).rejects.toThrow('RESOURCE:MEMORY');
    await fargate.queueWorkload(workload(ti));
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    const [event] = fargate.drainEvents();
    expect(event).toMatchObject({ attempt: ti, state: 'failed' });
    expect(event!.reason).toContain('interrupted or could not start 2 times');
  });

  it('does not adopt an attempt on a task it already requeued, so the interruption is not counted twice', async () => {
    const fargate = await launched();
    fargate.acceptTaskStateChange(fixture('task-spot-interruption.json'));
    fargate.drainEvents();
    // Until the scheduler sends it again, the metastore still names the interrupted task.
    const stale = { ...newTaskInstance(run, serializedTask('extract')), state: 'queued' as const, tryNumber: 1, externalExecutorId: taskArn(FIXTURE_TASK) };
    await expect(fargate.reconcile([stale])).resolves.toEqual([stale]);
    expect(fargate.slots.queued).toBe(0);
  });

  it('applies the same mapping to the task the sync describes as to the event', async () => {
    const fargate = await launched({ maxRequeues: 0 });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ ...stoppedTask(FIXTURE_TASK, 143), stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }],
    });
    await fargate.sync();
    const [event] = fargate.drainEvents();
    expect(event).toMatchObject({ state: 'failed' });
    expect(event!.reason).toContain('interrupted or could not start once');
  });
});
