import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ecsTaskOutcome } from '../../../../src/aws/ecs/ecs-task-outcome.ts';
import { parseEcsTaskStateChange } from '../../../../src/aws/ecs/ecs-task-state-event.ts';
import { EcsEventFormatError } from '../../../../src/aws/ecs/errors.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/ecs/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

const TASK_ARN = 'arn:aws:ecs:us-west-2:111122223333:task/updraft/c13b4cb40f1f4fe4a2971f76ae5a47ad';

describe('parseEcsTaskStateChange', () => {
  it('reads a RUNNING event', () => {
    expect(parseEcsTaskStateChange(fixture('task-running.json'))).toEqual({
      taskArn: TASK_ARN,
      startedBy: 'ud-3f9a2c7e1b-1',
      group: 'updraft:example_dag',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      stopCode: null,
      stoppedReason: null,
      capacityProviderName: 'FARGATE',
      containers: [{ name: 'runner', exitCode: null, reason: null, lastStatus: 'RUNNING' }],
      createdAt: new Date('2025-03-14T09:26:34.402Z'),
      startedAt: new Date('2025-03-14T09:26:58.103Z'),
      stoppedAt: null,
    });
  });

  it.each([
    ['task-running.json', { kind: 'running' }],
    ['task-stopped-exit-0.json', { kind: 'succeeded', exitCode: 0 }],
    ['task-stopped-exit-1.json', { kind: 'task_failed', exitCode: 1, reason: 'Container "runner" exited with code 1; Essential container in task exited' }],
    ['task-essential-sidecar-exited.json', { kind: 'task_failed', exitCode: 137, reason: 'Container "runner" exited with code 137; Essential container in task exited' }],
    ['task-spot-interruption-notice.json', { kind: 'running' }],
    ['task-spot-interruption.json', { kind: 'interrupted', reason: 'Your Spot Task was interrupted.' }],
    ['task-user-initiated.json', { kind: 'stopped_by_request', reason: 'updraft: execution_timeout of 1:00:00 exceeded' }],
  ])('maps %s to %o', (name, outcome) => {
    const snapshot = parseEcsTaskStateChange(fixture(name));
    expect(snapshot).not.toBeNull();
    expect(ecsTaskOutcome(snapshot!, 'runner')).toEqual(outcome);
  });

  it('reads a STOPPED event with its stop code, reason and times', () => {
    const snapshot = parseEcsTaskStateChange(fixture('task-stopped-exit-1.json'))!;
    expect(snapshot).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: new Date('2025-03-14T09:41:15.004Z'),
      containers: [{ name: 'runner', exitCode: 1, lastStatus: 'STOPPED' }],
    });
  });

  it('reads both containers when a sidecar was the essential container that exited', () => {
    const snapshot = parseEcsTaskStateChange(fixture('task-essential-sidecar-exited.json'))!;
    expect(snapshot.containers.map((c) => [c.name, c.exitCode])).toEqual([
      ['runner', 137],
      ['log-router', 1],
    ]);
  });

  it('reads a Spot interruption with its capacity provider', () => {
    const snapshot = parseEcsTaskStateChange(fixture('task-spot-interruption.json'))!;
    expect(snapshot.capacityProviderName).toBe('FARGATE_SPOT');
    expect(snapshot.stopCode).toBe('SpotInterruption');
  });

  it('reads a task that failed to start because its image could not be pulled', () => {
    const snapshot = parseEcsTaskStateChange(fixture('task-failed-to-start-cannot-pull.json'))!;
    expect(snapshot.startedAt).toBeNull();
    expect(snapshot.stopCode).toBe('TaskFailedToStart');
    const outcome = ecsTaskOutcome(snapshot, 'runner');
    expect(outcome.kind).toBe('never_started');
    expect(outcome.kind === 'never_started' && outcome.reason).toMatch(/^CannotPullContainerError: pull image manifest/);
  });

  it('reads an out-of-memory stop as a task failure that says so', () => {
    const outcome = ecsTaskOutcome(parseEcsTaskStateChange(fixture('task-stopped-out-of-memory.json'))!, 'runner');
    expect(outcome).toMatchObject({ kind: 'task_failed', exitCode: 137 });
    expect(outcome.kind === 'task_failed' && outcome.reason).toContain('ran out of memory');
  });

  it('tolerates fields it does not know', () => {
    const event = fixture('task-running.json');
    const detail = { ...(event.detail as Record<string, unknown>), someFutureField: { nested: true } };
    expect(parseEcsTaskStateChange({ ...event, detail })?.taskArn).toBe(TASK_ARN);
  });

  it('returns null for any other event', () => {
    expect(parseEcsTaskStateChange({ ...fixture('task-running.json'), 'detail-type': 'ECS Container Instance State Change' })).toBeNull();
    expect(parseEcsTaskStateChange({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toBeNull();
    expect(parseEcsTaskStateChange({ Records: [] })).toBeNull();
    expect(parseEcsTaskStateChange(null)).toBeNull();
    expect(parseEcsTaskStateChange('ECS Task State Change')).toBeNull();
  });

  it('rejects a task state change that lacks the task ARN or has a bad date', () => {
    const event = fixture('task-running.json');
    const { taskArn: _taskArn, ...withoutArn } = event.detail as Record<string, unknown>;
    expect(() => parseEcsTaskStateChange({ ...event, detail: withoutArn })).toThrow(EcsEventFormatError);
    expect(() => parseEcsTaskStateChange({ ...event, detail: { ...(event.detail as object), startedAt: 'yesterday' } })).toThrow(
      /detail\.startedAt/,
    );
  });
});
