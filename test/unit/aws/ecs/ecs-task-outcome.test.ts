import { describe, expect, it } from 'vitest';
import { ecsTaskOutcome } from '../../../../src/aws/ecs/ecs-task-outcome.ts';
import type { EcsContainerSnapshot, EcsTaskSnapshot } from '../../../../src/aws/ecs/ecs-task-snapshot.ts';

const STARTED = new Date('2025-03-14T09:26:58.103Z');

function runner(overrides: Partial<EcsContainerSnapshot> = {}): EcsContainerSnapshot {
  return { name: 'runner', exitCode: null, reason: null, lastStatus: 'STOPPED', ...overrides };
}

function task(overrides: Partial<EcsTaskSnapshot> = {}): EcsTaskSnapshot {
  return {
    taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/updraft/c13b4cb40f1f4fe4a2971f76ae5a47ad',
    startedBy: 'ud-3f9a2c7e1b-1',
    group: 'updraft:example_dag',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    capacityProviderName: 'FARGATE',
    containers: [runner()],
    createdAt: new Date('2025-03-14T09:26:34.402Z'),
    startedAt: STARTED,
    stoppedAt: new Date('2025-03-14T09:41:15.004Z'),
    ...overrides,
  };
}

const stillGoing = { stopCode: null, stoppedReason: null, desiredStatus: 'RUNNING', stoppedAt: null } as const;

describe('ecsTaskOutcome', () => {
  it.each(['PROVISIONING', 'PENDING', 'ACTIVATING'])('is pending while %s', (lastStatus) => {
    expect(ecsTaskOutcome(task({ ...stillGoing, lastStatus, startedAt: null }), 'runner')).toEqual({ kind: 'pending' });
  });

  it('is running while RUNNING', () => {
    expect(ecsTaskOutcome(task({ ...stillGoing, lastStatus: 'RUNNING' }), 'runner')).toEqual({ kind: 'running' });
  });

  it.each(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'])('is still running while %s after it started', (lastStatus) => {
    expect(ecsTaskOutcome(task({ lastStatus, stopCode: 'EssentialContainerExited' }), 'runner')).toEqual({ kind: 'running' });
  });

  it('is still pending while a task that never started is deprovisioned', () => {
    expect(ecsTaskOutcome(task({ lastStatus: 'DEPROVISIONING', stopCode: 'TaskFailedToStart', startedAt: null }), 'runner')).toEqual({
      kind: 'pending',
    });
  });

  it('is running while a Spot interruption notice is pending (the task has not stopped yet)', () => {
    const notice = task({ lastStatus: 'RUNNING', stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' });
    expect(ecsTaskOutcome(notice, 'runner')).toEqual({ kind: 'running' });
  });

  it('succeeds when the runner container exited 0', () => {
    expect(ecsTaskOutcome(task({ containers: [runner({ exitCode: 0 })] }), 'runner')).toEqual({ kind: 'succeeded', exitCode: 0 });
  });

  it('fails with the exit code when the runner container exited non-zero', () => {
    expect(ecsTaskOutcome(task({ containers: [runner({ exitCode: 1 })] }), 'runner')).toEqual({
      kind: 'task_failed',
      exitCode: 1,
      reason: 'Container "runner" exited with code 1; Essential container in task exited',
    });
  });

  it('reads the named container, not the first one', () => {
    const containers = [runner({ name: 'log-router', exitCode: 1 }), runner({ exitCode: 0 })];
    expect(ecsTaskOutcome(task({ containers }), 'runner')).toEqual({ kind: 'succeeded', exitCode: 0 });
  });

  it('fails when another essential container exited and took the runner down', () => {
    const containers = [runner({ exitCode: 137 }), runner({ name: 'log-router', exitCode: 1 })];
    const outcome = ecsTaskOutcome(task({ containers }), 'runner');
    expect(outcome).toMatchObject({ kind: 'task_failed', exitCode: 137 });
  });

  it('says so when the container ran out of memory', () => {
    const oom = runner({ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' });
    const outcome = ecsTaskOutcome(task({ containers: [oom] }), 'runner');
    expect(outcome).toMatchObject({ kind: 'task_failed', exitCode: 137 });
    expect(outcome.kind === 'task_failed' && outcome.reason).toMatch(/OutOfMemoryError.*ran out of memory.*raise memory/);
  });

  it('is an interruption when Fargate Spot reclaimed the task', () => {
    const spot = task({
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      capacityProviderName: 'FARGATE_SPOT',
      containers: [runner({ exitCode: 143 })],
    });
    expect(ecsTaskOutcome(spot, 'runner')).toEqual({ kind: 'interrupted', reason: 'Your Spot Task was interrupted.' });
  });

  it('is an interruption on a termination notice, an infrastructure health stop or a service scheduler stop', () => {
    for (const stopCode of ['TerminationNotice', 'InfrastructureHealth', 'ServiceSchedulerInitiated']) {
      const stopped = task({ stopCode, stoppedReason: `stopped: ${stopCode}`, containers: [runner({ exitCode: 143 })] });
      expect(ecsTaskOutcome(stopped, 'runner')).toEqual({ kind: 'interrupted', reason: `stopped: ${stopCode}` });
    }
  });

  it('succeeds when the runner finished with 0 before the Spot interruption reached it', () => {
    const spot = task({ stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', containers: [runner({ exitCode: 0 })] });
    expect(ecsTaskOutcome(spot, 'runner')).toEqual({ kind: 'succeeded', exitCode: 0 });
  });

  it('never started when the image could not be pulled', () => {
    const reason = 'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref';
    const failed = task({ stopCode: 'TaskFailedToStart', stoppedReason: reason, startedAt: null, containers: [runner({ reason })] });
    expect(ecsTaskOutcome(failed, 'runner')).toEqual({ kind: 'never_started', reason });
  });

  it('never started when the task resources could not be initialised', () => {
    const reason =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed';
    const failed = task({ stopCode: 'TaskFailedToStart', stoppedReason: reason, startedAt: null, containers: [runner()] });
    expect(ecsTaskOutcome(failed, 'runner')).toEqual({ kind: 'never_started', reason });
  });

  it('uses the exit code when a task "failed to start" after its container did run', () => {
    const failed = task({ stopCode: 'TaskFailedToStart', stoppedReason: 'Essential container in task exited', containers: [runner({ exitCode: 2 })] });
    expect(ecsTaskOutcome(failed, 'runner')).toMatchObject({ kind: 'task_failed', exitCode: 2 });
  });

  it('is stopped by request when StopTask stopped it, with the reason given', () => {
    const stopped = task({ stopCode: 'UserInitiated', stoppedReason: 'updraft: execution_timeout exceeded', containers: [runner({ exitCode: 143 })] });
    expect(ecsTaskOutcome(stopped, 'runner')).toEqual({ kind: 'stopped_by_request', reason: 'updraft: execution_timeout exceeded' });
  });

  it('falls back to the exit code when there is no stop code', () => {
    expect(ecsTaskOutcome(task({ stopCode: null, containers: [runner({ exitCode: 0 })] }), 'runner')).toEqual({ kind: 'succeeded', exitCode: 0 });
    expect(ecsTaskOutcome(task({ stopCode: null, containers: [runner({ exitCode: 3 })] }), 'runner')).toMatchObject({
      kind: 'task_failed',
      exitCode: 3,
    });
  });

  it('never started when a start error stopped it without a stop code or exit code', () => {
    const reason = 'CannotStartContainerError: failed to get container status';
    expect(ecsTaskOutcome(task({ stopCode: null, stoppedReason: null, containers: [runner({ reason })] }), 'runner')).toEqual({
      kind: 'never_started',
      reason,
    });
  });

  it('fails with a hint when the task has no container of that name', () => {
    const outcome = ecsTaskOutcome(task({ containers: [runner({ name: 'app', exitCode: 0 })] }), 'runner');
    expect(outcome).toMatchObject({ kind: 'task_failed', exitCode: null });
    expect(outcome.kind === 'task_failed' && outcome.reason).toContain('no container named "runner"');
  });
});
