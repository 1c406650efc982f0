import { DagDefinitionError } from '../errors.ts';
import { describe, TASK_OPTION_KEYS, type TaskOptions } from '../task-options.ts';
import type { SensorKind, SensorMode, SensorSettings } from './sensor-types.ts';

/**
 * Options every sensor takes (Airflow's BaseSensorOperator arguments, in camelCase), besides every task
 * option. Durations are seconds.
 *
 * @example
 * ```ts
 * const options: SensorOptions = { taskId: 'wait', mode: 'reschedule', pokeInterval: 300, timeout: 3600, softFail: true };
 * ```
 */
export interface SensorOptions extends TaskOptions {
  taskId: string;
  /** `poke` (default) keeps the worker and sleeps between pokes; `reschedule` gives it back between pokes. */
  mode?: SensorMode;
  /** Seconds between pokes (default 60). */
  pokeInterval?: number;
  /** Seconds from the first poke after which the sensor gives up (default 604800, seven days, as Airflow). */
  timeout?: number;
  /** On timeout (or a FailNoRetry from the check), mark the task skipped instead of failed (default false). */
  softFail?: boolean;
  /** Wait longer after each poke, with Airflow's jittered doubling (default false). */
  exponentialBackoff?: boolean;
  /** Upper bound in seconds of the wait between pokes when backing off (default none). */
  maxWait?: number | null;
  /**
   * After an unmet first poke, give the worker back and let the triggerer wait (the task is `deferred`)
   * until the condition holds or `timeout` passes (default false). Not for `sensor()`, not with
   * `mode: 'reschedule'`; the triggerer checks once per scheduler tick, so `pokeInterval` and the
   * backoff options do not apply while deferred.
   */
  deferrable?: boolean;
}

/**
 * A sensor's default `timeout`: Airflow's `[sensors] default_timeout`, seven days.
 *
 * @example
 * ```ts
 * sensor({ taskId: 'wait', timeout: DEFAULT_SENSOR_TIMEOUT_SECONDS / 7 }, check); // one day
 * ```
 */
export const DEFAULT_SENSOR_TIMEOUT_SECONDS = 7 * 24 * 3600;

/**
 * A sensor's default `pokeInterval` in seconds, as Airflow's.
 *
 * @example
 * ```ts
 * sensor({ taskId: 'wait', pokeInterval: DEFAULT_POKE_INTERVAL_SECONDS * 5 }, check); // every five minutes
 * ```
 */
export const DEFAULT_POKE_INTERVAL_SECONDS = 60;

export const SENSOR_OPTION_KEYS = [...TASK_OPTION_KEYS, 'mode', 'pokeInterval', 'timeout', 'softFail', 'exponentialBackoff', 'maxWait', 'deferrable'] as const;

/** Applies Airflow's sensor defaults and validates them; `where` names the DAG and task for messages. */
export function resolveSensorSettings(where: string, kind: SensorKind, options: SensorOptions): SensorSettings {
  const fail = (message: string): never => {
    throw new DagDefinitionError(`${where}: ${message}`);
  };
  const mode = options.mode ?? 'poke';
  if (mode !== 'poke' && mode !== 'reschedule') fail(`mode must be "poke" or "reschedule", got ${describe(mode)}.`);
  const pokeInterval = options.pokeInterval ?? DEFAULT_POKE_INTERVAL_SECONDS;
  if (!isSeconds(pokeInterval)) fail(`pokeInterval must be a number of seconds >= 0, got ${describe(pokeInterval)}.`);
  const timeout = options.timeout ?? DEFAULT_SENSOR_TIMEOUT_SECONDS;
  if (!isSeconds(timeout)) fail(`timeout must be a number of seconds >= 0, got ${describe(timeout)}.`);
  const softFail = options.softFail ?? false;
  if (typeof softFail !== 'boolean') fail(`softFail must be true or false, got ${describe(softFail)}.`);
  const exponentialBackoff = options.exponentialBackoff ?? false;
  if (typeof exponentialBackoff !== 'boolean') fail(`exponentialBackoff must be true or false, got ${describe(exponentialBackoff)}.`);
  const maxWait = options.maxWait ?? null;
  if (maxWait !== null && (!isSeconds(maxWait) || maxWait === 0)) {
    fail(`maxWait must be a number of seconds > 0 or null, got ${describe(maxWait)}.`);
  }
  const deferrable = options.deferrable ?? false;
  if (typeof deferrable !== 'boolean') fail(`deferrable must be true or false, got ${describe(deferrable)}.`);
  if (deferrable && kind === 'custom') {
    fail(
      'sensor() cannot be deferrable: its check is your own code, which the triggerer does not run. ' +
        'Write the check as a trigger with defineTrigger() and wait for it with ctx.defer() in a task, or use mode: "reschedule".',
    );
  }
  if (deferrable && mode === 'reschedule') {
    fail('deferrable and mode: "reschedule" exclude each other: a deferrable sensor hands its wait to the triggerer. Drop one of them.');
  }
  return {
    kind,
    mode,
    pokeIntervalSeconds: pokeInterval,
    timeoutSeconds: timeout,
    softFail,
    exponentialBackoff,
    maxWaitSeconds: maxWait,
    ...(deferrable ? { deferrable: true as const } : {}),
  };
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
