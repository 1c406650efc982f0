import type { TaskContext } from '../context.ts';

/**
 * Which check a sensor makes. The task runner dispatches on it; `custom` runs the DAG author's own
 * poke function from the bundle.
 *
 * @example
 * ```ts
 * const kind: SensorKind = 's3_key';
 * ```
 */
export type SensorKind = 'custom' | 's3_key' | 'external_task' | 'time_delta' | 'date_time' | 'http';

/**
 * How a sensor waits between pokes: `poke` keeps its worker and sleeps; `reschedule` gives the worker
 * back and runs the same try again at the next poke (the task instance waits in `up_for_reschedule`).
 *
 * @example
 * ```ts
 * const mode: SensorMode = 'reschedule';
 * ```
 */
export type SensorMode = 'poke' | 'reschedule';

/**
 * A sensor's settings after defaults were applied, as its task definition (and its serialized
 * `templateFields.sensor`) holds them. Durations are seconds.
 *
 * @example
 * ```ts
 * const settings: SensorSettings = {
 *   kind: 'custom', mode: 'poke', pokeIntervalSeconds: 60, timeoutSeconds: 604800,
 *   softFail: false, exponentialBackoff: false, maxWaitSeconds: null,
 * };
 * ```
 */
export interface SensorSettings {
  kind: SensorKind;
  mode: SensorMode;
  pokeIntervalSeconds: number;
  timeoutSeconds: number;
  softFail: boolean;
  exponentialBackoff: boolean;
  maxWaitSeconds: number | null;
  /**
   * Hand the wait to the triggerer after an unmet first poke. Present (true) only when set, so the
   * serialized settings of sensors that do not defer, and their DAG versions' ids, stay as they were.
   */
  deferrable?: true;
}

/**
 * What a poke may answer besides a boolean (Airflow's `PokeReturnValue`): whether the condition is met,
 * and the value to push as the sensor's `return_value` XCom when it is.
 *
 * @example
 * ```ts
 * const answer: PokeReturnValue = { done: true, xcomValue: { rows: 42 } };
 * ```
 */
export interface PokeReturnValue {
  done: boolean;
  xcomValue?: unknown;
}

/**
 * A custom sensor's check: called once per poke with the task's context. Truthy (or `{ done: true }`)
 * ends the wait; falsy waits for the next poke; throwing fails the task (retries apply).
 *
 * @example
 * ```ts
 * const poke: SensorPokeFunction = async (ctx) => (await ctx.variables.get('ready', 'no')) === 'yes';
 * ```
 */
export type SensorPokeFunction = (ctx: TaskContext) => unknown;

/**
 * What an `httpSensor`'s `responseCheck` receives: the answer's status, headers and body, with the body
 * parsed as JSON where it is JSON (null otherwise).
 *
 * @example
 * ```ts
 * const check = (response: HttpSensorResponse) => (response.json as { status?: string } | null)?.status === 'done';
 * ```
 */
export interface HttpSensorResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

/**
 * The functions a sensor keeps in the DAG bundle: they run on the worker and are never serialized.
 *
 * @example
 * ```ts
 * const functions: SensorFunctions = { poke: () => true };
 * ```
 */
export interface SensorFunctions {
  /** `sensor()`'s check. */
  poke?: SensorPokeFunction;
  /** `httpSensor()`'s answer check. */
  responseCheck?: (response: HttpSensorResponse, ctx: TaskContext) => unknown;
  /** `externalTaskSensor()`'s logical date(s) of the other DAG, from this run's logical date. */
  executionDateFn?: (logicalDate: Date, ctx: TaskContext) => Date | readonly Date[];
}
