/**
 * `updraft/sdk`: the API DAG files are written with. It imports nothing else of Updraft's, because it
 * is bundled into every DAG file's bundle.
 *
 * @example
 * ```ts
 * import { chain, dag, empty, task } from 'updraft/sdk';
 *
 * const extract = task({ taskId: 'extract' }, async (ctx) => [ctx.ds]);
 * export default dag({ dagId: 'hello', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   chain(empty({ taskId: 'start' }), extract());
 * });
 * ```
 */
export { dag, isDag, type Dag } from './dag.ts';
export type { DagOptions } from './dag-options.ts';
export {
  task,
  type DropFirst,
  type MappedTaskPartial,
  type TaskCallable,
  type TaskFactory,
  type TaskflowArg,
  type TaskflowArgs,
  type TaskflowOptions,
} from './task.ts';
export { bash, BASH_TEMPLATE_FIELDS, type BashExpandFields, type BashOptions, type BashPartial, type BashPartialOptions } from './operators/bash.ts';
export { empty, type EmptyOptions } from './operators/empty.ts';
export { pythonTask, PYTHON_TASK_FIELDS, type PythonTaskOptions, type PythonTaskPartial } from './operators/python-task.ts';
// Dynamic task mapping: expand()/partial() live on task, bash, pythonTask and taskGroup.
export { isMapItem, type MapItem } from './map-item.ts';
export type { MapArg, MapArgs } from './mapping.ts';
export { elementIndexes, mappedInstanceCount, type MapSource, type MappedInput, type MappedInputTarget } from './mapping-types.ts';
export { chain } from './chain.ts';
// DAG shapes: task groups, branching, short circuit, latest only, setup and teardown.
export { taskGroup, type TaskGroupOptions } from './task-group.ts';
export type { TaskGroupDefinition } from './task-group-registry.ts';
export { isTaskGroupRef, type DependencyNode, type TaskGroupRef, type TeardownOptions } from './task-ref.ts';
export { branch, shortCircuit, type BranchChoice, type ShortCircuitOptions } from './operators/branch.ts';
export { latestOnly, type LatestOnlyOptions } from './operators/latest-only.ts';
export { setup, teardown, type TeardownFactoryOptions } from './setup-teardown.ts';
export type { BranchTaskDefinition, LatestOnlyTaskDefinition, ShortCircuitTaskDefinition } from './task-definition.ts';
export { isTaskRef, isXComArg, type TaskRef, type TaskRefOrList, type XComArg } from './task-ref.ts';
export type { DefaultArgs, TaskOptions } from './task-options.ts';
export type {
  BashTaskDefinition,
  BaseTaskDefinition,
  EmptyTaskDefinition,
  OperatorName,
  PythonTaskDefinition,
  SensorTaskDefinition,
  TaskArg,
  TaskDefinition,
  TaskflowTaskDefinition,
  TaskFunction,
} from './task-definition.ts';
export type { TaskConnection, TaskConnections, TaskContext, TaskInstanceContext, TaskLog, TaskVariables } from './context.ts';
// Deferral and triggers.
export type { TaskResume } from './context.ts';
export { TaskDeferred, deferralOf, DEFAULT_RESUME_METHOD, type DeferOptions } from './signals.ts';
export * from './triggers/index.ts';
export { param, isParam, type Param, type ParamOptions, type ParamSpec, type ParamType } from './params.ts';
export { TRIGGER_RULES, isTriggerRule, type TriggerRule } from './trigger-rules.ts';
export { WEIGHT_RULES, isWeightRule, type WeightRule } from './weight-rules.ts';
export { SkipTask, FailNoRetry, RescheduleTask, rescheduleDateOf, taskSignalOf, type TaskSignal } from './signals.ts';
export { DagDefinitionError, NotifierError } from './errors.ts';
export {
  callbackName,
  isNotifier,
  CALLBACK_OPTION_KEYS,
  type Notifier,
  type ResolvedTaskCallbacks,
  type TaskCallback,
  type TaskCallbackEvent,
  type TaskCallbackFunction,
  type TaskCallbackInfo,
  type TaskCallbacks,
} from './callbacks.ts';
export { httpNotifier, defaultNotificationText, type HttpNotifierOptions } from './notifiers.ts';
// DAG-run callbacks, deadline alerts and the SNS notifier.
export {
  defaultRunNotificationText,
  isRunNotifier,
  type DagRunCallback,
  type DagRunCallbackContext,
  type DagRunCallbackEvent,
  type DagRunCallbackFunction,
  type DagRunCallbackInfo,
  type DagRunCallbacks,
  type DeadlineTaskInstance,
  type RunNotifier,
} from './dag-callbacks.ts';
export { DeadlineReference, type DeadlineAlert, type DeadlineReferenceValue, type ResolvedDeadlineAlert } from './deadlines.ts';
export { snsNotifier, snsDeliveryOf, type SnsDelivery, type SnsNotifier, type SnsNotifierOptions, type SnsText } from './sns-notifier.ts';
export {
  asset,
  assetAll,
  assetAny,
  isAsset,
  isAssetCondition,
  normalizeAssetUri,
  MAX_ASSET_URI_LENGTH,
  type Asset,
  type AssetCondition,
  type AssetOptions,
  type OutletEventAccessor,
  type OutletEventAccessors,
  type TriggeringAssetEvent,
  type SerializedAssetConditionJson,
} from './assets.ts';
export { resolveAssetSchedule, type AssetOrTimeSchedule, type AssetSchedule, type ResolvedAssetSchedule } from './asset-schedule.ts';
export * from './timetables/index.ts';
export * from './sensors/index.ts';
