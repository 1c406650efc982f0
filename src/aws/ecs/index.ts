export { EcsTaskLauncher, type EcsLaunchSettings, type EcsRunRequest } from './ecs-task-launcher.ts';
export { snapshotFromDescribe, type EcsContainerSnapshot, type EcsTaskSnapshot } from './ecs-task-snapshot.ts';
export { ecsTaskOutcome, type EcsTaskOutcome } from './ecs-task-outcome.ts';
export { parseEcsTaskStateChange, ECS_EVENT_SOURCE, ECS_TASK_STATE_CHANGE } from './ecs-task-state-event.ts';
export { EcsApiError, EcsConfigurationError, EcsEventFormatError, EcsRunTaskError, type EcsFailure } from './errors.ts';
export { FARGATE_TASK_SIZES, validateFargateSize } from './fargate-sizes.ts';
export { taskIdOf } from './task-arn.ts';
export {
  FargateExecutor,
  type FargateExecutorOptions,
  DEFAULT_FARGATE_COMMAND,
  DEFAULT_MAX_REQUEUES,
  DEFAULT_FARGATE_CONTAINER_NAME,
} from './fargate-executor.ts';
export { fargateStartedBy, fargateTags, fargateSizeOf, isEcsTaskArn } from './fargate-attempt.ts';
