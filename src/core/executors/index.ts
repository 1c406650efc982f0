/**
 * What a custom executor builds on (`updraft/executors`): extend `BaseExecutor` and name the class in
 * `core.executor` as `Alias:module#Export`. docs/executors.md walks through one.
 */
export { BaseExecutor, DEFAULT_PARALLELISM, ExecutorFullError, attemptId, type BaseExecutorOptions } from './base-executor.ts';
export type {
  Executor,
  ExecutorCapabilities,
  ExecutorEvent,
  ExecutorEventState,
  ExecutorSlots,
  QueueOptions,
  TrackedAttempt,
} from '../ports/executor.ts';
export type { ExecuteTaskWorkload } from '../model/workload.ts';
export type { TaskInstanceRecord } from '../model/records.ts';
export type { TaskAttemptKey } from '../model/keys.ts';
