import { describe } from '../task-options.ts';
import type { TaskRef } from '../task-ref.ts';
import { addSensor } from './add-sensor.ts';
import type { SensorOptions } from './sensor-options.ts';
import type { SensorPokeFunction } from './sensor-types.ts';

/**
 * Adds a sensor that runs your own check (Airflow's `PythonSensor`): `poke(ctx)` is called once per poke
 * and may be async. A truthy answer ends the wait and the task succeeds; `{ done: true, xcomValue }`
 * (Airflow's `PokeReturnValue`) also pushes `xcomValue` as the task's `return_value` XCom. A falsy answer
 * (or `{ done: false }`) waits `pokeInterval` seconds for the next poke, until `timeout`. An error thrown
 * by the check fails the task (retries apply). Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, sensor, task } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'wait_for_api', schedule: '@hourly', startDate: '2025-01-01' }, () => {
 *   const ready = sensor({ taskId: 'export_ready', mode: 'reschedule', pokeInterval: 120, timeout: 3600 }, async (ctx) => {
 *     const response = await fetch(`https://example.com/exports/${ctx.ds}`, { signal: ctx.signal });
 *     return response.ok ? { done: true, xcomValue: await response.json() } : false;
 *   });
 *   ready.setDownstream(task({ taskId: 'load' }, (ctx) => ctx.ti.xcomPull('export_ready'))());
 * });
 * ```
 */
export function sensor<T = unknown>(options: SensorOptions, poke: SensorPokeFunction): TaskRef<T> {
  return addSensor<T>('sensor', 'custom', options, [], (fail) => {
    if (typeof poke !== 'function') fail(`sensor() needs a poke function as its second argument, got ${describe(poke)}.`);
    return { templateFields: {}, functions: { poke } };
  });
}
