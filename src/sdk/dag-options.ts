import { DateTime, IANAZone } from 'luxon';
import { DagDefinitionError } from './errors.ts';
import { jsonProblem } from './json-check.ts';
import { PARAM_TYPES, isParam, matchesParamType, type ParamSpec, type ParamType } from './params.ts';
import { DEFAULT_ARG_KEYS, describe, rejectUnknownKeys, resolveTaskOptions, type DefaultArgs } from './task-options.ts';
import type { Schedule } from './timetables/index.ts';
import type { AssetSchedule } from './asset-schedule.ts';
import type { DagRunCallbacks } from './dag-callbacks.ts';
import type { DeadlineAlert } from './deadlines.ts';

/**
 * Options of `dag()` (Airflow's `DAG` arguments, in camelCase).
 *
 * @example
 * ```ts
 * const options: DagOptions = {
 *   dagId: 'orders_daily',
 *   schedule: '0 6 * * *',
 *   startDate: '2025-01-01',
 *   timezone: 'Europe/Berlin',
 *   catchup: true,
 *   defaultArgs: { retries: 2 },
 *   params: { region: 'eu' },
 *   tags: ['orders'],
 * };
 * ```
 */
export interface DagOptions {
  /** Letters, digits, `_`, `-` and `.`; at most 250 characters. */
  dagId: string;
  /**
   * A cron expression, a preset (`@once`, `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, ...),
   * a timetable object, or null for manual runs only (the default, as in Airflow 3). It may also be an
   * asset, a list of assets (run when all were updated), an `and`/`or` asset condition, or
   * `{ timetable, assets }` to run on either (see `asset()`).
   */
  schedule?: Schedule | AssetSchedule;
  /** First date the schedule covers. A string without an offset is read in `timezone`. */
  startDate?: Date | string | null;
  /** Last date the schedule covers (inclusive). */
  endDate?: Date | string | null;
  /** IANA timezone in which the schedule and offset-less dates are read (default 'UTC'). */
  timezone?: string;
  /** Create runs for intervals missed since `startDate` (default false). */
  catchup?: boolean;
  /** Most runs of this DAG running at once (default 16). */
  maxActiveRuns?: number;
  /** Most task instances queued or running at once in each run of this DAG, as in Airflow 3 (default 16). */
  maxActiveTasks?: number;
  /** Defaults for the options of every task of this DAG. */
  defaultArgs?: DefaultArgs;
  /** Run parameters: plain values (their defaults) or `param(...)` declarations. */
  params?: Record<string, unknown>;
  tags?: string[];
  description?: string | null;
  // DAG-run callbacks and deadline alerts (src/sdk/dag-callbacks.ts, src/sdk/deadlines.ts).
  /** Runs on a worker when a run succeeds (Airflow's DAG on_success_callback). A throw is only logged. */
  onSuccess?: DagRunCallbacks;
  /** Runs on a worker when a run fails (Airflow's DAG on_failure_callback). A throw is only logged. */
  onFailure?: DagRunCallbacks;
  /** Alerts once per run that has not ended by `reference` + `interval` (Airflow 3.1's DeadlineAlert). */
  deadline?: DeadlineAlert;
}

export const DAG_OPTION_KEYS = [
  'dagId',
  'schedule',
  'startDate',
  'endDate',
  'timezone',
  'catchup',
  'maxActiveRuns',
  'maxActiveTasks',
  'defaultArgs',
  'params',
  'tags',
  'description',
  'onSuccess',
  'onFailure',
  'deadline',
] as const satisfies readonly (keyof DagOptions)[];

/** Airflow's limit on a tag's length. */
const MAX_TAG_LENGTH = 100;

export function resolveTimezone(where: string, timezone: unknown): string {
  const zone = timezone ?? 'UTC';
  if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
    throw new DagDefinitionError(`${where}: unknown timezone ${describe(zone)}. Use an IANA name such as 'UTC' or 'Europe/Berlin'.`);
  }
  return zone;
}

/** A date option as an instant; ISO strings without an offset are read in the DAG's timezone. */
export function resolveDate(where: string, name: string, value: unknown, timezone: string): Date | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DagDefinitionError(`${where}: ${name} is an invalid Date.`);
    return new Date(value.getTime());
  }
  if (typeof value === 'string') {
    const parsed = DateTime.fromISO(value, { zone: timezone });
    if (parsed.isValid) return parsed.toJSDate();
  }
  throw new DagDefinitionError(
    `${where}: ${name} must be a Date or an ISO-8601 string such as '2025-01-01' or '2025-01-01T06:00:00Z', got ${describe(value)}.`,
  );
}

export function resolvePositiveInteger(where: string, name: string, value: unknown, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || (resolved as number) < 1) {
    throw new DagDefinitionError(`${where}: ${name} must be a whole number >= 1, got ${describe(resolved)}.`);
  }
  return resolved as number;
}

export function resolveDefaultArgs(where: string, value: unknown): DefaultArgs {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DagDefinitionError(`${where}: defaultArgs must be an object of task options, got ${describe(value)}.`);
  }
  rejectUnknownKeys(`${where} defaultArgs`, value, DEFAULT_ARG_KEYS);
  // Validate once here, so a bad default is reported against defaultArgs rather than the first task.
  resolveTaskOptions(`${where} defaultArgs`, value as DefaultArgs, {});
  return Object.freeze({ ...(value as DefaultArgs) });
}

export function resolveParams(where: string, value: unknown): Readonly<Record<string, ParamSpec>> {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DagDefinitionError(`${where}: params must be an object of param names to defaults or param(...) declarations, got ${describe(value)}.`);
  }
  const params: Record<string, ParamSpec> = {};
  for (const [name, declared] of Object.entries(value)) {
    const spec: { default?: unknown; description?: string; type?: ParamType } = {};
    if (isParam(declared)) {
      if (declared.default !== undefined) spec.default = declared.default;
      if (declared.description !== undefined) spec.description = declared.description;
      if (declared.type !== undefined) spec.type = declared.type;
    } else {
      spec.default = declared;
    }
    const at = `${where}, param "${name}"`;
    if (spec.description !== undefined && typeof spec.description !== 'string') {
      throw new DagDefinitionError(`${at}: description must be a string, got ${describe(spec.description)}.`);
    }
    if (spec.type !== undefined && !PARAM_TYPES.includes(spec.type)) {
      throw new DagDefinitionError(`${at}: unknown type ${describe(spec.type)}. Use one of: ${PARAM_TYPES.join(', ')}.`);
    }
    if ('default' in spec) {
      const problem = jsonProblem(spec.default, 'the default');
      if (problem) throw new DagDefinitionError(`${at}: ${problem}. Param defaults are stored as JSON.`);
      if (spec.type !== undefined && !matchesParamType(spec.default, spec.type)) {
        throw new DagDefinitionError(`${at}: the default ${describe(spec.default)} is not of type "${spec.type}".`);
      }
      spec.default = JSON.parse(JSON.stringify(spec.default)) as unknown;
    }
    params[name] = Object.freeze(spec);
  }
  return Object.freeze(params);
}

export function resolveTags(where: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) throw new DagDefinitionError(`${where}: tags must be a list of strings, got ${describe(value)}.`);
  for (const tag of value) {
    if (typeof tag !== 'string' || tag === '' || tag.length > MAX_TAG_LENGTH) {
      throw new DagDefinitionError(`${where}: every tag must be a string of 1 to ${MAX_TAG_LENGTH} characters, got ${describe(tag)}.`);
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

export function resolveOptionalText(where: string, name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new DagDefinitionError(`${where}: ${name} must be a string or null, got ${describe(value)}.`);
  return value;
}

export function resolveCatchup(where: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new DagDefinitionError(`${where}: catchup must be true or false, got ${describe(value)}.`);
  return value;
}
