import { requireBuilder, type DagBuilder, type TaskDraft } from '../dag-builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { describe, invalidIdReason, rejectUnknownKeys, resolveTaskOptions } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';
import { resolveSensorSettings, SENSOR_OPTION_KEYS, type SensorOptions } from './sensor-options.ts';
import type { SensorFunctions, SensorKind } from './sensor-types.ts';

/** What one sensor factory contributes: its kind's arguments (template fields) and worker-side functions. */
export interface SensorParts {
  templateFields: Record<string, unknown>;
  functions?: SensorFunctions;
}

/**
 * The steps every sensor factory shares: find the DAG being built, check the id and the options, resolve
 * the task and sensor settings, and add the task. `build` checks the kind's own options and throws
 * DagDefinitionError naming the field; `fail` builds that error with the DAG and task named.
 */
export function addSensor<T>(
  factory: string,
  kind: SensorKind,
  options: SensorOptions,
  ownKeys: readonly string[],
  build: (fail: (message: string) => never, builder: DagBuilder) => SensorParts,
): TaskRef<T> {
  const builder = requireBuilder(`${factory}({ taskId: ${describe(options?.taskId)} })`);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`${builder.where()}: ${factory}() needs an options object, got ${describe(options)}.`);
  }
  const where = builder.where(typeof options.taskId === 'string' ? options.taskId : undefined);
  const idProblem = invalidIdReason(options.taskId);
  if (idProblem) throw new DagDefinitionError(`${where}: ${factory}() needs a taskId that ${idProblem}.`);
  rejectUnknownKeys(where, options, [...SENSOR_OPTION_KEYS, ...ownKeys]);
  const sensor = resolveSensorSettings(where, kind, options);
  const parts = build((message) => {
    throw new DagDefinitionError(`${where}: ${message}`);
  }, builder);
  const draft = {
    taskId: options.taskId,
    operator: 'sensor',
    upstreamTaskIds: new Set<string>(),
    ...resolveTaskOptions(where, options, builder.defaultArgs),
    // The settings travel in the serialized DAG too, so changing one makes a new DAG version.
    templateFields: { sensor: { ...sensor }, ...parts.templateFields },
    args: [],
    doXcomPush: true,
    sensor: Object.freeze(sensor),
    sensorFunctions: Object.freeze({ ...parts.functions }),
  } satisfies TaskDraft;
  return builder.addTask<T>(draft);
}
