import type { DagRunInfo, DataInterval, NextDagRunInfoArgs, SerializedTimetableJson, Timetable } from './types.ts';

/**
 * Never schedules a run (`schedule: null`): the DAG runs only when triggered by hand, by the API or by
 * an event, as Airflow's `NullTimetable`. A triggered run's data interval is empty.
 *
 * @example
 * ```ts
 * dag({ dagId: 'on_demand_export', schedule: null }, () => { ... });
 * new NullTimetable().nextDagRunInfo({ lastAutomatedDataInterval: null,
 *   restriction: { earliest: null, latest: null, catchup: false }, now: new Date() }); // null
 * ```
 */
export class NullTimetable implements Timetable {
  readonly summary = 'None';
  readonly periodic = false;

  nextDagRunInfo(_args: NextDagRunInfoArgs): DagRunInfo | null {
    return null;
  }

  /** An empty interval at the trigger time. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: new Date(runAfter), end: new Date(runAfter) };
  }

  serialize(): SerializedTimetableJson {
    return { type: 'null' };
  }
}
