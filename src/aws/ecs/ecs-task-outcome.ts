import type { EcsContainerSnapshot, EcsTaskSnapshot } from './ecs-task-snapshot.ts';

export type EcsTaskOutcome =
  | { kind: 'pending' }
  | { kind: 'running' }
  | { kind: 'succeeded'; exitCode: 0 }
  /** The task's own error: normal failure and retry rules apply. */
  | { kind: 'task_failed'; exitCode: number | null; reason: string }
  /** Spot interruption, termination notice, infrastructure: retryable, not the task's fault. */
  | { kind: 'interrupted'; reason: string }
  /** The container never ran: image pull, secrets, network or start errors. */
  | { kind: 'never_started'; reason: string }
  /** Someone called StopTask (we do, on timeout or clear). */
  | { kind: 'stopped_by_request'; reason: string };

const NOT_STARTED_YET = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** Stop codes for tasks that AWS took away: the work was cut short through no fault of its own. */
const INTERRUPTION_CODES = new Set([
  'SpotInterruption',
  'TerminationNotice',
  'InfrastructureHealth',
  'ServiceSchedulerInitiated',
]);

/**
 * Error prefixes from ECS's "stopped tasks error codes" that mean the container was never started:
 * its image, secrets, volumes or network could not be set up, or the runtime timed out starting it.
 */
const START_FAILURE = new RegExp(
  [
    'CannotPullContainer',
    'CannotStartContainerError',
    'CannotCreateContainerError',
    'CannotCreateVolumeError',
    'ResourceInitializationError',
    'ContainerRuntimeTimeoutError',
    'DockerTimeoutError',
    'Could not transition to running',
    'Timeout waiting for network interface',
    'Fetching secret data',
    'ResourceNotFoundException',
    'Task failed to start',
  ].join('|'),
  'i',
);

const OUT_OF_MEMORY = /OutOfMemoryError/i;

function joinReasons(...parts: Array<string | null | undefined>): string {
  const seen: string[] = [];
  for (const part of parts) {
    const text = part?.trim();
    if (text && !seen.includes(text)) seen.push(text);
  }
  return seen.join('; ');
}

/** The outcome read from the essential container's own exit. */
function fromContainer(
  task: EcsTaskSnapshot,
  container: EcsContainerSnapshot | undefined,
  containerName: string,
): EcsTaskOutcome {
  if (container === undefined) {
    return {
      kind: 'task_failed',
      exitCode: null,
      reason: joinReasons(
        `The ECS task has no container named "${containerName}": set the fargate executor's containerName to the ` +
          'runner container of the task definition',
        task.stoppedReason,
      ),
    };
  }
  const { exitCode, reason } = container;
  if (exitCode === 0) return { kind: 'succeeded', exitCode: 0 };
  if (reason !== null && OUT_OF_MEMORY.test(reason)) {
    return {
      kind: 'task_failed',
      exitCode,
      reason: joinReasons(
        reason,
        `container "${containerName}" ran out of memory${exitCode === null ? '' : ` (exit code ${exitCode})`}: ` +
          "raise memory in the task's executorConfig",
      ),
    };
  }
  if (exitCode !== null) {
    return {
      kind: 'task_failed',
      exitCode,
      reason: joinReasons(`Container "${containerName}" exited with code ${exitCode}`, reason, task.stoppedReason),
    };
  }
  const startFailed = [reason, task.stoppedReason].some((text) => text !== null && START_FAILURE.test(text));
  if (startFailed) {
    return { kind: 'never_started', reason: joinReasons(reason, task.stoppedReason) };
  }
  return {
    kind: 'task_failed',
    exitCode: null,
    reason: joinReasons(reason, task.stoppedReason) || `Container "${containerName}" stopped without an exit code`,
  };
}

/**
 * What a task's state means for its task attempt. Terminal only at STOPPED: a task that is stopping
 * may still be writing its last output. `containerName` is the essential runner container.
 */
export function ecsTaskOutcome(task: EcsTaskSnapshot, containerName: string): EcsTaskOutcome {
  if (NOT_STARTED_YET.has(task.lastStatus)) return { kind: 'pending' };
  if (task.lastStatus === 'RUNNING') return { kind: 'running' };
  if (task.lastStatus !== 'STOPPED') {
    // DEACTIVATING, STOPPING, DEPROVISIONING: on the way down, from wherever the task got to.
    return task.startedAt === null ? { kind: 'pending' } : { kind: 'running' };
  }

  const container = task.containers.find((c) => c.name === containerName);
  const stopCode = task.stopCode;
  if (stopCode === 'UserInitiated') {
    return { kind: 'stopped_by_request', reason: task.stoppedReason ?? 'Task stopped by a StopTask request' };
  }
  if (stopCode !== null && INTERRUPTION_CODES.has(stopCode)) {
    // A container that exited 0 finished its work before the interruption reached it.
    if (container?.exitCode === 0) return { kind: 'succeeded', exitCode: 0 };
    return { kind: 'interrupted', reason: joinReasons(task.stoppedReason, container?.reason) || stopCode };
  }
  if (stopCode === 'TaskFailedToStart' && (container === undefined || container.exitCode === null)) {
    const reason = container?.reason ?? null;
    if (reason !== null && OUT_OF_MEMORY.test(reason)) return fromContainer(task, container, containerName);
    return { kind: 'never_started', reason: joinReasons(task.stoppedReason, reason) || 'Task failed to start' };
  }
  // EssentialContainerExited, a start failure after which the container did run, or a stop code we do not know.
  return fromContainer(task, container, containerName);
}
