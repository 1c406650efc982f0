import type { TaskRef } from '../task-ref.ts';
import { describe } from '../task-options.ts';
import { addSensor } from './add-sensor.ts';
import type { SensorOptions } from './sensor-options.ts';

/**
 * Options of `timeDeltaSensor()`.
 *
 * @example
 * ```ts
 * const options: TimeDeltaSensorOptions = { taskId: 'wait_an_hour', delta: 3600 };
 * ```
 */
export interface TimeDeltaSensorOptions extends SensorOptions {
  /** Seconds after the end of the run's data interval. */
  delta: number;
}

/**
 * Adds a sensor that succeeds once the run's data interval has ended `delta` seconds ago (Airflow 3's
 * `TimeDeltaSensor`: the base time is `data_interval_end`). Use `mode: 'reschedule'` for long waits so
 * no worker is held. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, timeDeltaSensor } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'late_data', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   // Give late events two hours after midnight before processing the day.
 *   timeDeltaSensor({ taskId: 'grace_period', delta: 2 * 3600, mode: 'reschedule', pokeInterval: 600 });
 * });
 * ```
 */
export function timeDeltaSensor(options: TimeDeltaSensorOptions): TaskRef<boolean> {
  return addSensor<boolean>('timeDeltaSensor', 'time_delta', options, ['delta'], (fail) => {
    if (typeof options.delta !== 'number' || !Number.isFinite(options.delta)) {
      fail(`delta must be a number of seconds, got ${describe(options.delta)}.`);
    }
    return { templateFields: { deltaSeconds: options.delta } };
  });
}

/**
 * Options of `dateTimeSensor()`. `targetTime` is a template when it is a string.
 *
 * @example
 * ```ts
 * const options: DateTimeSensorOptions = { taskId: 'wait_until_nine', targetTime: '{{ ds }}T09:00:00Z' };
 * ```
 */
export interface DateTimeSensorOptions extends SensorOptions {
  /** An ISO 8601 instant (with a zone), a template that renders to one, or a Date. */
  targetTime: string | Date;
}

/**
 * Adds a sensor that succeeds once the clock has passed `targetTime` (Airflow's `DateTimeSensor`).
 * Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, dateTimeSensor } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'market_close', schedule: '0 0 * * 1-5', startDate: '2025-01-01' }, () => {
 *   dateTimeSensor({ taskId: 'after_close', targetTime: '{{ ds }}T21:00:00Z', mode: 'reschedule', pokeInterval: 900 });
 * });
 * ```
 */
export function dateTimeSensor(options: DateTimeSensorOptions): TaskRef<boolean> {
  return addSensor<boolean>('dateTimeSensor', 'date_time', options, ['targetTime'], (fail) => {
    const target = options.targetTime;
    if (target instanceof Date) {
      if (Number.isNaN(target.getTime())) fail('targetTime is an invalid Date.');
      return { templateFields: { targetTime: target.toISOString() } };
    }
    if (typeof target !== 'string' || target.trim() === '') {
      fail(`targetTime must be an ISO 8601 instant, a template rendering to one, or a Date, got ${describe(target)}.`);
    }
    if (!target.includes('{{') && Number.isNaN(Date.parse(target))) {
      fail(`targetTime "${target}" is not an ISO 8601 instant such as "2025-01-01T09:00:00Z".`);
    }
    return { templateFields: { targetTime: target } };
  });
}
