/**
 * The span of time a DAG run processes. For a run that is not about a span (a trigger-style run without
 * an interval, a manual run of an unscheduled DAG), `start` equals `end`.
 *
 * @example
 * ```ts
 * const interval: DataInterval = {
 *   start: new Date('2024-01-01T00:00:00Z'),
 *   end: new Date('2024-01-02T00:00:00Z'),
 * };
 * ```
 */
export interface DataInterval {
  start: Date;
  end: Date;
}

/**
 * What a timetable answers when asked for the next automated run: its data interval, its logical date
 * (always the start of the data interval, as in Airflow) and the earliest instant it may be created.
 *
 * @example
 * ```ts
 * const info: DagRunInfo | null = timetable.nextDagRunInfo({ lastAutomatedDataInterval: null, restriction, now });
 * if (info && info.runAfter <= now) createRun(info.logicalDate, info.dataInterval);
 * ```
 */
export interface DagRunInfo {
  dataInterval: DataInterval;
  logicalDate: Date;
  runAfter: Date;
}

/**
 * Bounds on automated runs. `earliest` is the DAG's start date and `latest` its end date (both inclusive,
 * null when unset); `catchup` says whether missed intervals are run or skipped.
 *
 * @example
 * ```ts
 * const restriction: TimeRestriction = { earliest: new Date('2024-01-01T00:00:00Z'), latest: null, catchup: false };
 * ```
 */
export interface TimeRestriction {
  earliest: Date | null;
  latest: Date | null;
  catchup: boolean;
}

/**
 * Arguments of {@link Timetable.nextDagRunInfo}. `now` is passed in: a timetable never reads a clock.
 *
 * @example
 * ```ts
 * const args: NextDagRunInfoArgs = {
 *   lastAutomatedDataInterval: null,
 *   restriction: { earliest: null, latest: null, catchup: false },
 *   now: new Date('2024-06-01T12:00:00Z'),
 * };
 * ```
 */
export interface NextDagRunInfoArgs {
  /** The data interval of the latest scheduled (not manual) run, or null before the first one. */
  lastAutomatedDataInterval: DataInterval | null;
  restriction: TimeRestriction;
  now: Date;
}

/**
 * The JSON form of a timetable inside a serialized DAG (core's `SerializedTimetable` is this type);
 * instants never appear, durations are seconds.
 *
 * @example
 * ```ts
 * const json: SerializedTimetableJson = { type: 'cron_trigger', cron: '0 6 * * *', timezone: 'UTC', intervalSeconds: 0 };
 * ```
 */
export type SerializedTimetableJson =
  | { type: 'cron_data_interval'; cron: string; timezone: string }
  | { type: 'cron_trigger'; cron: string; timezone: string; intervalSeconds: number }
  | { type: 'delta_data_interval'; seconds: number }
  | { type: 'once' }
  | { type: 'null' };

/**
 * Decides when a DAG runs automatically and which data interval each run covers, as Airflow's
 * `Timetable` protocol. Implementations are pure: the same arguments always give the same answer.
 *
 * @example
 * ```ts
 * const timetable: Timetable = new CronTriggerTimetable('0 6 * * *', 'Europe/Berlin');
 * const info = timetable.nextDagRunInfo({
 *   lastAutomatedDataInterval: null,
 *   restriction: { earliest: new Date('2024-01-01T00:00:00Z'), latest: null, catchup: true },
 *   now: new Date('2024-01-10T00:00:00Z'),
 * });
 * // info.runAfter = 2024-01-01T05:00:00Z (06:00 in Berlin)
 * ```
 */
export interface Timetable {
  /** A short text for display, e.g. the cron expression. */
  readonly summary: string;
  /** Whether runs are created over and over (cron, delta) rather than at most once or never. */
  readonly periodic: boolean;
  /** The next automated run, or null when no further automated run is due (ever, or within `latest`). */
  nextDagRunInfo(args: NextDagRunInfoArgs): DagRunInfo | null;
  /** The data interval of a run triggered by hand at `runAfter`. */
  inferManualDataInterval(runAfter: Date): DataInterval;
  serialize(): SerializedTimetableJson;
}
