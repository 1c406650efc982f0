import type { Task } from '@aws-sdk/client-ecs';
import { EcsApiError } from './errors.ts';

/**
 * What Updraft needs to know about one ECS task, whether it came from DescribeTasks or from an
 * EventBridge task state change event.
 */
export interface EcsTaskSnapshot {
  taskArn: string;
  startedBy: string | null;
  group: string | null;
  /** PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED */
  lastStatus: string;
  desiredStatus: string | null;
  /**
   * TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, SpotInterruption,
   * TerminationNotice, InfrastructureHealth
   */
  stopCode: string | null;
  stoppedReason: string | null;
  capacityProviderName: string | null;
  containers: EcsContainerSnapshot[];
  createdAt: Date | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
}

export interface EcsContainerSnapshot {
  name: string;
  exitCode: number | null;
  reason: string | null;
  lastStatus: string | null;
}

export function snapshotFromDescribe(task: Task): EcsTaskSnapshot {
  if (!task.taskArn) {
    throw new EcsApiError('DescribeTasks', 'ECS described a task without a taskArn; this is unexpected, retry the sync.');
  }
  return {
    taskArn: task.taskArn,
    startedBy: task.startedBy ?? null,
    group: task.group ?? null,
    // A task without a status has not been placed yet.
    lastStatus: task.lastStatus ?? 'PROVISIONING',
    desiredStatus: task.desiredStatus ?? null,
    stopCode: task.stopCode ?? null,
    stoppedReason: task.stoppedReason ?? null,
    capacityProviderName: task.capacityProviderName ?? null,
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '',
      exitCode: container.exitCode ?? null,
      reason: container.reason ?? null,
      lastStatus: container.lastStatus ?? null,
    })),
    createdAt: task.createdAt ?? null,
    startedAt: task.startedAt ?? null,
    stoppedAt: task.stoppedAt ?? null,
  };
}
