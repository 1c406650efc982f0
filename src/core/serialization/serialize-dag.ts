import type { Asset, Dag, ParamSpec, ResolvedDeadlineAlert, TaskDefinition } from '../../sdk/index.ts';
import { ValidationError } from '../errors.ts';
import {
  SERIALIZED_DAG_FORMAT_VERSION,
  type SerializedDag,
  type SerializedAsset,
  type SerializedParam,
  type SerializedRunCallbackEvent,
  type SerializedTaskGroup,
  type SerializedTask,
} from '../model/serialized-dag.ts';
import { parseSerializedDag } from './parse-serialized-dag.ts';
import { topologicalOrder } from './topological-order.ts';

/**
 * Turns a DAG built by the SDK into its serialized form: plain JSON, tasks in topological order,
 * upstream ids sorted, params normalised. The result is validated exactly as a reader would validate
 * it, so a DAG that serializes is a DAG the scheduler can load. `fileloc` is the DAG file's path
 * relative to the DAG bundle root (e.g. `etl/orders.ts`).
 */
export function serializeDag(dag: Dag, fileloc: string): SerializedDag {
  const draft: SerializedDag = {
    formatVersion: SERIALIZED_DAG_FORMAT_VERSION,
    dagId: dag.dagId,
    fileloc,
    description: dag.description,
    tags: [...dag.tags],
    timetable: dag.timetable.serialize(),
    scheduleDescription: dag.scheduleDescription,
    startDate: dag.startDate ? dag.startDate.toISOString() : null,
    endDate: dag.endDate ? dag.endDate.toISOString() : null,
    timezone: dag.timezone,
    catchup: dag.catchup,
    maxActiveRuns: dag.maxActiveRuns,
    maxActiveTasks: dag.maxActiveTasks,
    params: Object.fromEntries(Object.entries(dag.params).map(([name, spec]) => [name, serializeParam(spec)])),
    ...(dag.assetCondition ? { assetCondition: dag.assetCondition.toJSON() } : {}),
    ...runCallbackFields(dag),
    ...taskGroupFields(dag),
    tasks: topologicalOrder(dag.dagId, dag.tasks.values()).map(serializeTask),
  };
  let json: unknown;
  try {
    json = JSON.parse(JSON.stringify(draft));
  } catch (error) {
    throw new ValidationError(`DAG "${dag.dagId}" cannot be serialized to JSON: ${(error as Error).message}.`, null, { cause: error });
  }
  return parseSerializedDag(json);
}

/** DAG-run callbacks and the deadline: absent when the DAG has none (and for bundles of older SDKs). */
function runCallbackFields(dag: Dag): Pick<SerializedDag, 'runCallbacks' | 'deadline'> {
  const events: SerializedRunCallbackEvent[] = [];
  if ((dag.onSuccess?.length ?? 0) > 0) events.push('success');
  if ((dag.onFailure?.length ?? 0) > 0) events.push('failure');
  const deadline = dag.deadline ?? null;
  return {
    ...(events.length > 0 ? { runCallbacks: events } : {}),
    ...(deadline === null
      ? {}
      : {
          deadline: serializeDeadline(deadline, (kind): kind is 'dagrun_queued_at' | 'dagrun_logical_date' => kind.startsWith('dagrun_')),
        }),
  };
}

/**
 * A deadline's JSON form. The SDK checked the reference's scope; `inScope` only narrows the type (a
 * reference of the other scope would be refused by the schema anyway).
 */
function serializeDeadline<K extends string>(
  deadline: ResolvedDeadlineAlert,
  inScope: (kind: string) => kind is K,
): { reference: K; intervalSeconds: number } | { reference: 'fixed_datetime'; at: string; intervalSeconds: number } {
  const { reference, intervalSeconds } = deadline;
  if (reference.kind === 'fixed_datetime') return { reference: 'fixed_datetime', at: reference.at.toISOString(), intervalSeconds };
  if (!inScope(reference.kind)) throw new ValidationError(`deadline.reference ${reference.kind} is not allowed here.`, 'deadline.reference');
  return { reference: reference.kind, intervalSeconds };
}

/** Task groups: absent when the DAG has none (and for bundles of older SDKs). */
function taskGroupFields(dag: Dag): Pick<SerializedDag, 'taskGroups'> {
  const groups = [...(dag.taskGroups?.values() ?? [])];
  if (groups.length === 0) return {};
  const taskGroups: Record<string, SerializedTaskGroup> = {};
  for (const group of groups) {
    taskGroups[group.groupId] = {
      ...(group.parentGroupId !== null ? { parentGroupId: group.parentGroupId } : {}),
      ...(group.tooltip !== null ? { tooltip: group.tooltip } : {}),
      ...(group.expand !== undefined ? { expand: group.expand } : {}),
    };
  }
  return { taskGroups };
}

function serializeParam(spec: ParamSpec): SerializedParam {
  const param: SerializedParam = {};
  if (spec.default !== undefined) param.default = spec.default;
  if (spec.description !== undefined) param.description = spec.description;
  if (spec.type !== undefined) param.type = spec.type;
  return param;
}

function serializeAsset(asset: Asset): SerializedAsset {
  return Object.keys(asset.extra).length > 0 ? { uri: asset.uri, extra: { ...asset.extra } } : { uri: asset.uri };
}

function serializeTask(task: TaskDefinition): SerializedTask {
  return {
    taskId: task.taskId,
    operator: task.operator,
    upstreamTaskIds: [...task.upstreamTaskIds].sort(),
    triggerRule: task.triggerRule,
    retries: task.retries,
    retryDelaySeconds: task.retryDelaySeconds,
    retryExponentialBackoff: task.retryExponentialBackoff,
    maxRetryDelaySeconds: task.maxRetryDelaySeconds,
    executionTimeoutSeconds: task.executionTimeoutSeconds,
    executor: task.executor,
    executorConfig: task.executorConfig === null ? null : { ...task.executorConfig },
    pool: task.pool,
    poolSlots: task.poolSlots,
    priorityWeight: task.priorityWeight,
    templateFields: { ...task.templateFields },
    args: task.args.map((arg) => ({ ...arg })),
    doXcomPush: task.doXcomPush,
    doc: task.doc,
    ...(task.outlets.length > 0 ? { outlets: task.outlets.map(serializeAsset) } : {}),
    // Run control: omitted when default (a definition from an older SDK may lack the fields).
    ...(task.weightRule !== undefined && task.weightRule !== 'downstream' ? { weightRule: task.weightRule } : {}),
    ...(task.dependsOnPast === true ? { dependsOnPast: true } : {}),
    ...(task.waitForDownstream === true ? { waitForDownstream: true } : {}),
    // Concurrency limits: omitted when unlimited (older bundles' definitions lack the field).
    ...(task.maxActiveTisPerDag != null ? { maxActiveTisPerDag: task.maxActiveTisPerDag } : {}),
    // DAG shapes: omitted when default.
    ...(task.taskGroupId !== undefined ? { taskGroupId: task.taskGroupId } : {}),
    ...(task.isSetup === true ? { isSetup: true } : {}),
    ...(task.isTeardown === true ? { isTeardown: true } : {}),
    ...(task.onFailureFailDagrun === true ? { onFailureFailDagrun: true } : {}),
    // Dynamic task mapping: omitted when not mapped.
    ...(task.expandInputs !== undefined ? { expandInputs: [...task.expandInputs] } : {}),
    ...(task.mappedGroupId !== undefined ? { mappedGroupId: task.mappedGroupId } : {}),
    // Deadline alert: omitted when none (older bundles' definitions lack the field).
    ...(task.deadline
      ? { deadline: serializeDeadline(task.deadline, (kind): kind is 'task_queued_at' | 'task_started_at' => kind.startsWith('task_')) }
      : {}),
  };
}
