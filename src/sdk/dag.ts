import { DagBuilder, runBuild, type TaskDraft } from './dag-builder.ts';
import {
  DAG_OPTION_KEYS,
  resolveCatchup,
  resolveDate,
  resolveDefaultArgs,
  resolveOptionalText,
  resolveParams,
  resolvePositiveInteger,
  resolveTags,
  resolveTimezone,
  type DagOptions,
} from './dag-options.ts';
import { DagDefinitionError } from './errors.ts';
import type { ParamSpec } from './params.ts';
import type { TaskDefinition } from './task-definition.ts';
import type { TaskGroupDefinition } from './task-group-registry.ts';
import { describe, invalidIdReason, rejectUnknownKeys } from './task-options.ts';
import { resolveSchedule, type Schedule, type Timetable } from './timetables/index.ts';
import { resolveAssetSchedule } from './asset-schedule.ts';
import { dagTriggerRegistry } from './triggers/define-trigger.ts';
import type { AssetCondition } from './assets.ts';
import { resolveDagCallbackList, type DagRunCallback } from './dag-callbacks.ts';
import { resolveDeadline, type ResolvedDeadlineAlert } from './deadlines.ts';

const DAG_BRAND = Symbol.for('updraft.dag');

/**
 * A DAG as `dag()` returns it: its resolved options, its timetable and its tasks. Export it from a DAG
 * file (as the default export or a named one) and the DAG processor finds it.
 *
 * @example
 * ```ts
 * const pipeline: Dag = dag({ dagId: 'pipeline' }, () => { extract(); });
 * pipeline.tasks.get('extract')?.retries; // 0
 * ```
 */
export interface Dag {
  readonly [DAG_BRAND]: true;
  readonly dagId: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly timetable: Timetable;
  /** The schedule as written (a string), the timetable's summary for a timetable object, or null. */
  readonly scheduleDescription: string | null;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
  readonly timezone: string;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** The assets whose updates run the DAG (besides its timetable), or null. */
  readonly assetCondition: AssetCondition | null;
  /** Tasks in the order the build function added them. */
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  /** Task groups by full id, in definition order (empty when the DAG has none). */
  readonly taskGroups: ReadonlyMap<string, TaskGroupDefinition>;
  // DAG-run callbacks and deadline alert: they stay in the bundle; the serialized DAG only says they exist.
  readonly onSuccess: readonly DagRunCallback[];
  readonly onFailure: readonly DagRunCallback[];
  readonly deadline: ResolvedDeadlineAlert | null;
}

/**
 * Whether a value is a DAG made by `dag()` (of any copy of the SDK).
 *
 * @example
 * ```ts
 * const module = await import('./dags/orders.ts');
 * const dags = Object.values(module).filter(isDag);
 * ```
 */
export function isDag(value: unknown): value is Dag {
  return typeof value === 'object' && value !== null && (value as { [DAG_BRAND]?: unknown })[DAG_BRAND] === true;
}

/**
 * Defines a DAG (Airflow's `@dag` / `with DAG(...)`): `build` runs at once and adds the DAG's tasks by
 * calling TaskFlow factories, `bash()` and `empty()`, and wires them with task arguments, `chain()`,
 * `setUpstream()` and `setDownstream()`. Everything is validated here; an invalid definition throws
 * `DagDefinitionError`, which the DAG processor reports as the file's import error.
 *
 * @example
 * ```ts
 * import { bash, dag, task } from 'updraft/sdk';
 *
 * const extract = task({ taskId: 'extract' }, async (ctx) => ({ day: ctx.ds, rows: 42 }));
 * const load = task({ taskId: 'load', retries: 3 }, async (ctx, batch: { rows: number }) => batch.rows);
 *
 * export default dag(
 *   { dagId: 'orders_daily', schedule: '@daily', startDate: '2025-01-01', catchup: false, tags: ['orders'] },
 *   () => {
 *     const loaded = load(extract());
 *     bash({ taskId: 'notify', bashCommand: 'echo loaded {{ ds }}' }).setUpstream(loaded);
 *   },
 * );
 * ```
 */
export function dag(options: DagOptions, build: () => void): Dag {
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`dag(options, build): options must be an object with at least a dagId, got ${describe(options)}.`);
  }
  const idProblem = invalidIdReason(options.dagId);
  if (idProblem) throw new DagDefinitionError(`DAG ${describe(options.dagId)}: the dagId ${idProblem}.`);
  const dagId = options.dagId;
  const where = `DAG "${dagId}"`;
  rejectUnknownKeys(where, options, DAG_OPTION_KEYS);
  if (typeof build !== 'function') {
    throw new DagDefinitionError(`${where}: dag(options, build) needs a build function that adds the tasks, got ${describe(build)}.`);
  }

  const timezone = resolveTimezone(where, options.timezone);
  const startDate = resolveDate(where, 'startDate', options.startDate, timezone);
  const endDate = resolveDate(where, 'endDate', options.endDate, timezone);
  if (startDate && endDate && endDate < startDate) {
    throw new DagDefinitionError(`${where}: endDate ${endDate.toISOString()} is before startDate ${startDate.toISOString()}.`);
  }
  const assetSchedule = resolveAssetSchedule(where, options.schedule);
  const schedule = assetSchedule ? assetSchedule.timeSchedule : options.schedule === undefined ? null : (options.schedule as Schedule);
  const timetable = resolveTimetable(where, schedule, timezone);
  const timeDescription = typeof schedule === 'string' ? schedule : schedule === null ? null : timetable.summary;
  const builder = new DagBuilder(dagId, resolveDefaultArgs(where, options.defaultArgs));
  const resolved = {
    dagId,
    description: resolveOptionalText(where, 'description', options.description),
    tags: resolveTags(where, options.tags),
    timetable,
    scheduleDescription: assetSchedule ? assetSchedule.describe(timeDescription ?? '') : timeDescription,
    startDate,
    endDate,
    timezone,
    catchup: resolveCatchup(where, options.catchup),
    maxActiveRuns: resolvePositiveInteger(where, 'maxActiveRuns', options.maxActiveRuns, 16),
    maxActiveTasks: resolvePositiveInteger(where, 'maxActiveTasks', options.maxActiveTasks, 16),
    params: resolveParams(where, options.params),
    assetCondition: assetSchedule?.condition ?? null,
    onSuccess: resolveDagCallbackList(where, 'onSuccess', options.onSuccess),
    onFailure: resolveDagCallbackList(where, 'onFailure', options.onFailure),
    deadline: resolveDeadline(where, options.deadline),
  };

  runBuild(builder, build);
  assertAcyclic(where, builder.tasks);

  const tasks = new Map<string, TaskDefinition>();
  for (const [taskId, draft] of builder.tasks) {
    tasks.set(taskId, Object.freeze({ ...draft, ...builder.shapes.shapeFields(taskId) }) as TaskDefinition);
  }
  builder.shapes.validate(tasks);
  const taskGroups = new Map(builder.shapes.definitions().map((group) => [group.groupId, group]));
  // The file's custom triggers ride on the DAG object: the triggerer finds them there in the bundle.
  return Object.freeze({ [DAG_BRAND]: true as const, ...resolved, tasks, taskGroups, ...dagTriggerRegistry() });
}

function resolveTimetable(where: string, schedule: Schedule, timezone: string): Timetable {
  try {
    return resolveSchedule(schedule, timezone);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DagDefinitionError(`${where}: invalid schedule ${describe(schedule)}: ${message}`, { cause: error });
  }
}

/** Throws naming one cycle, as `a -> b -> c -> a` in the order the tasks would run. */
function assertAcyclic(where: string, tasks: ReadonlyMap<string, TaskDraft>): void {
  const downstream = new Map<string, string[]>();
  for (const taskId of tasks.keys()) downstream.set(taskId, []);
  for (const [taskId, draft] of tasks) {
    for (const upstream of draft.upstreamTaskIds) downstream.get(upstream)!.push(taskId);
  }
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (taskId: string): void => {
    if (done.has(taskId)) return;
    if (onPath.has(taskId)) {
      const cycle = [...path.slice(path.indexOf(taskId)), taskId];
      throw new DagDefinitionError(
        `${where}: the dependencies form a cycle: ${cycle.join(' -> ')}. Remove one of these dependencies.`,
      );
    }
    onPath.add(taskId);
    path.push(taskId);
    for (const next of downstream.get(taskId)!) visit(next);
    path.pop();
    onPath.delete(taskId);
    done.add(taskId);
  };
  for (const taskId of tasks.keys()) visit(taskId);
}
