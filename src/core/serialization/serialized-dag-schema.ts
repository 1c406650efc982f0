import { z } from 'zod';
import {
  SERIALIZED_DAG_FORMAT_VERSION,
  type SerializedAsset,
  type SerializedAssetCondition,
  type SerializedDag,
  type SerializedMapSource,
  type SerializedMappedInput,
  type SerializedParam,
  type SerializedTask,
  type SerializedTaskArg,
  type SerializedTaskGroup,
  type SerializedTimetable,
} from '../model/serialized-dag.ts';
import { TRIGGER_RULES } from '../model/trigger-rules.ts';
import { WEIGHT_RULES } from '../../sdk/weight-rules.ts';

/**
 * The zod mirror of `SerializedDag` (src/core/model/serialized-dag.ts). Every object is strict: a
 * serialized DAG with a field this version does not know is refused rather than half-understood.
 * The type assertions at the bottom fail compilation when the two drift apart.
 */

/** Airflow's key rule for DAG and task ids: letters, digits, `_ - .`, at most 250 characters. */
const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must contain only letters, digits, "_", "-" and "."').max(250);
const seconds = z.number().finite().nonnegative();
const instant = z.iso.datetime({ offset: true });
/** Typed `unknown` as the model declares, but only values that survive JSON unchanged pass. */
const jsonValue = z.unknown().refine(isJsonValue, 'must be a JSON value (null, boolean, finite number, string, array or plain object)');

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonValue);
}

export const serializedTimetableSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cron_data_interval'), cron: z.string().min(1), timezone: z.string().min(1) }),
  z.strictObject({
    type: z.literal('cron_trigger'),
    cron: z.string().min(1),
    timezone: z.string().min(1),
    intervalSeconds: seconds,
  }),
  z.strictObject({ type: z.literal('delta_data_interval'), seconds: z.number().finite().positive() }),
  z.strictObject({ type: z.literal('once') }),
  z.strictObject({ type: z.literal('null') }),
]);

const assetUri = z.string().min(1).max(1500);

export const serializedAssetSchema = z.strictObject({
  uri: assetUri,
  extra: z.record(z.string(), jsonValue).optional(),
});

export const serializedAssetConditionSchema: z.ZodType<SerializedAssetCondition> = z.lazy(() =>
  z.union([
    z.strictObject({ kind: z.literal('asset'), uri: assetUri }),
    z.strictObject({ kind: z.enum(['all', 'any']), of: z.array(serializedAssetConditionSchema).min(1) }),
  ]),
);

export const serializedParamSchema = z.strictObject({
  default: jsonValue.optional(),
  description: z.string().optional(),
  type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']).optional(),
});

export const serializedTaskArgSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('literal'), value: jsonValue }),
  z.strictObject({ kind: z.literal('xcom'), taskId: id, key: z.string().min(1) }),
  z.strictObject({ kind: z.literal('mapped') }),
  z.strictObject({ kind: z.literal('map_item'), groupId: id }),
]);

export const serializedMapSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('literal'), values: z.array(jsonValue) }),
  z.strictObject({ kind: z.literal('xcom'), taskId: id, key: z.string().min(1) }),
]);

/** The model's MappedInput has readonly fields: `.readonly()` keeps the inferred type equal to it. */
export const serializedMappedInputSchema = z
  .strictObject({
    target: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('arg'), index: z.number().int().nonnegative() }),
        z.strictObject({ kind: z.literal('field'), name: z.string().min(1) }),
      ]),
    source: serializedMapSourceSchema,
  })
  .readonly();

export const serializedTaskSchema = z.strictObject({
  taskId: id,
  operator: z.string().min(1),
  upstreamTaskIds: z.array(id),
  triggerRule: z.enum(TRIGGER_RULES),
  retries: z.number().int().nonnegative(),
  retryDelaySeconds: seconds,
  retryExponentialBackoff: z.boolean(),
  maxRetryDelaySeconds: z.number().finite().positive().nullable(),
  executionTimeoutSeconds: z.number().finite().positive().nullable(),
  executor: z.string().min(1).nullable(),
  executorConfig: z.record(z.string(), jsonValue).nullable(),
  pool: z.string().min(1),
  poolSlots: z.number().int().positive(),
  priorityWeight: z.number().int(),
  templateFields: z.record(z.string(), jsonValue),
  args: z.array(serializedTaskArgSchema),
  doXcomPush: z.boolean(),
  doc: z.string().nullable(),
  outlets: z.array(serializedAssetSchema).optional(),
  // DAG shapes: absent when default.
  taskGroupId: id.optional(),
  isSetup: z.boolean().optional(),
  isTeardown: z.boolean().optional(),
  onFailureFailDagrun: z.boolean().optional(),
  // Run control: absent when default.
  weightRule: z.enum(WEIGHT_RULES).optional(),
  dependsOnPast: z.boolean().optional(),
  waitForDownstream: z.boolean().optional(),
  // Concurrency limits: absent when unlimited.
  maxActiveTisPerDag: z.number().int().positive().optional(),
  // Dynamic task mapping: absent when not mapped.
  expandInputs: z.array(serializedMappedInputSchema).min(1).optional(),
  mappedGroupId: id.optional(),
  // Task deadline alert: absent when none.
  deadline: z
    .discriminatedUnion('reference', [
      z.strictObject({ reference: z.enum(['task_queued_at', 'task_started_at']), intervalSeconds: z.number().finite() }),
      z.strictObject({ reference: z.literal('fixed_datetime'), at: instant, intervalSeconds: z.number().finite() }),
    ])
    .optional(),
});

export const serializedTaskGroupSchema = z.strictObject({
  parentGroupId: id.optional(),
  tooltip: z.string().optional(),
  expand: serializedMapSourceSchema.optional(),
});

export const serializedDagSchema = z.strictObject({
  formatVersion: z.literal(SERIALIZED_DAG_FORMAT_VERSION),
  dagId: id,
  fileloc: z.string().min(1),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  timetable: serializedTimetableSchema,
  scheduleDescription: z.string().nullable(),
  startDate: instant.nullable(),
  endDate: instant.nullable(),
  timezone: z.string().min(1),
  catchup: z.boolean(),
  maxActiveRuns: z.number().int().positive(),
  maxActiveTasks: z.number().int().positive(),
  params: z.record(z.string(), serializedParamSchema),
  assetCondition: serializedAssetConditionSchema.optional(),
  taskGroups: z.record(id, serializedTaskGroupSchema).optional(),
  runCallbacks: z.array(z.enum(['success', 'failure'])).min(1).optional(),
  deadline: z
    .discriminatedUnion('reference', [
      z.strictObject({ reference: z.enum(['dagrun_queued_at', 'dagrun_logical_date']), intervalSeconds: z.number().finite() }),
      z.strictObject({ reference: z.literal('fixed_datetime'), at: instant, intervalSeconds: z.number().finite() }),
    ])
    .optional(),
  tasks: z.array(serializedTaskSchema),
});

/** True when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type SchemaMatchesModel = [
  Assert<Equal<z.infer<typeof serializedDagSchema>, SerializedDag>>,
  Assert<Equal<z.infer<typeof serializedTaskSchema>, SerializedTask>>,
  Assert<Equal<z.infer<typeof serializedTaskArgSchema>, SerializedTaskArg>>,
  Assert<Equal<z.infer<typeof serializedParamSchema>, SerializedParam>>,
  Assert<Equal<z.infer<typeof serializedTimetableSchema>, SerializedTimetable>>,
  Assert<Equal<z.infer<typeof serializedAssetSchema>, SerializedAsset>>,
  Assert<Equal<z.infer<typeof serializedTaskGroupSchema>, SerializedTaskGroup>>,
  Assert<Equal<z.infer<typeof serializedMapSourceSchema>, SerializedMapSource>>,
  Assert<Equal<z.infer<typeof serializedMappedInputSchema>, SerializedMappedInput>>,
];
