import type { SerializedTimetable } from '../model/serialized-dag.ts';
import {
  CronDataIntervalTimetable,
  CronTriggerTimetable,
  DeltaDataIntervalTimetable,
  NullTimetable,
  OnceTimetable,
  ScheduleError,
  type Timetable,
} from '../../sdk/timetables/index.ts';

/**
 * Rebuilds the timetable of a serialized DAG, so the scheduler can plan runs without importing user code.
 * `deserializeTimetable(t.serialize())` behaves exactly as `t`.
 *
 * @throws ScheduleError when the JSON names an unknown type or holds an invalid cron, timezone or interval.
 * @example
 * ```ts
 * const timetable = deserializeTimetable(serializedDag.timetable);
 * const info = timetable.nextDagRunInfo({ lastAutomatedDataInterval, restriction, now: clock.now() });
 * ```
 */
export function deserializeTimetable(json: SerializedTimetable): Timetable {
  switch (json.type) {
    case 'cron_data_interval':
      return new CronDataIntervalTimetable(json.cron, json.timezone);
    case 'cron_trigger':
      return new CronTriggerTimetable(json.cron, json.timezone, { interval: json.intervalSeconds });
    case 'delta_data_interval':
      return new DeltaDataIntervalTimetable(json.seconds);
    case 'once':
      return new OnceTimetable();
    case 'null':
      return new NullTimetable();
    default: {
      const unknown: never = json;
      throw new ScheduleError(
        `Unknown serialized timetable ${JSON.stringify(unknown)}: expected type 'cron_data_interval', ` +
          `'cron_trigger', 'delta_data_interval', 'once' or 'null'. Re-process the DAG file to re-serialize it.`,
      );
    }
  }
}
