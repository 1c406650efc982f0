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
export { task, type TaskFactory, type TaskflowArg, type TaskflowOptions } from './task.ts';
export { bash, BASH_TEMPLATE_FIELDS, type BashOptions } from './operators/bash.ts';
export { empty, type EmptyOptions } from './operators/empty.ts';
export { pythonTask, PYTHON_TASK_FIELDS, type PythonTaskOptions } from './operators/python-task.ts';
export { chain } from './chain.ts';
export { isTaskRef, isXComArg, type TaskRef, type TaskRefOrList, type XComArg } from './task-ref.ts';
export type { DefaultArgs, TaskOptions } from './task-options.ts';
export type {
  BashTaskDefinition,
  BaseTaskDefinition,
  EmptyTaskDefinition,
  OperatorName,
  PythonTaskDefinition,
  TaskArg,
  TaskDefinition,
  TaskflowTaskDefinition,
  TaskFunction,
} from './task-definition.ts';
export type { TaskConnection, TaskConnections, TaskContext, TaskInstanceContext, TaskLog, TaskVariables } from './context.ts';
export { param, isParam, type Param, type ParamOptions, type ParamSpec, type ParamType } from './params.ts';
export { TRIGGER_RULES, isTriggerRule, type TriggerRule } from './trigger-rules.ts';
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
