import { assetAll, isAssetCondition, type AssetCondition } from './assets.ts';
import { DagDefinitionError } from './errors.ts';
import type { Schedule } from './timetables/index.ts';

/**
 * A schedule that runs a DAG on a timetable and also whenever its assets are updated (Airflow's
 * `AssetOrTimeSchedule`). `timetable` is anything a plain `schedule` may be except null.
 *
 * @example
 * ```ts
 * const schedule: AssetOrTimeSchedule = { timetable: '0 6 * * *', assets: [asset('s3://lake/orders/')] };
 * dag({ dagId: 'orders_report', schedule, startDate: '2025-01-01' }, () => { report(); });
 * ```
 */
export interface AssetOrTimeSchedule {
  timetable: Exclude<Schedule, null>;
  assets: AssetCondition | readonly AssetCondition[];
}

/**
 * What a DAG's `schedule` may be besides a timetable: an asset or asset condition, a list of them
 * (run when all were updated, as Airflow's list schedule), or a timetable combined with assets.
 *
 * @example
 * ```ts
 * const orders = asset('s3://lake/orders/');
 * const customers = asset('s3://lake/customers/');
 * const schedules: AssetSchedule[] = [orders, [orders, customers], orders.or(customers), { timetable: '@daily', assets: orders }];
 * ```
 */
export type AssetSchedule = AssetCondition | readonly AssetCondition[] | AssetOrTimeSchedule;

/** A DAG's schedule split into its time part and its asset part. */
export interface ResolvedAssetSchedule {
  /** What the timetable is built from: null when only assets schedule the DAG. */
  timeSchedule: Schedule;
  condition: AssetCondition;
  /** Airflow's summaries: `Asset` for assets only, `Asset or <timetable>` for both. */
  describe(timetableSummary: string): string;
}

/**
 * Splits an asset schedule; returns null when `schedule` is a plain timetable schedule (string,
 * timetable or null), which `resolveSchedule` handles.
 *
 * @throws DagDefinitionError for an empty list, a list with something that is not an asset, or an
 * `{ timetable, assets }` object missing either part.
 * @example
 * ```ts
 * resolveAssetSchedule([asset('s3://a/x'), asset('s3://a/y')])?.condition.kind; // 'all'
 * resolveAssetSchedule('@daily'); // null
 * ```
 */
export function resolveAssetSchedule(where: string, schedule: unknown): ResolvedAssetSchedule | null {
  if (isAssetCondition(schedule)) return { timeSchedule: null, condition: schedule, describe: () => 'Asset' };
  if (Array.isArray(schedule)) {
    if (schedule.length === 0) {
      throw new DagDefinitionError(`${where}: schedule is an empty list; list the assets the DAG runs on, or use null for manual runs only.`);
    }
    return { timeSchedule: null, condition: conditionOf(where, schedule), describe: () => 'Asset' };
  }
  if (typeof schedule === 'object' && schedule !== null && 'assets' in schedule) {
    const { timetable, assets, ...rest } = schedule as Partial<AssetOrTimeSchedule> & Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new DagDefinitionError(`${where}: unknown schedule option "${unknown[0]}"; an asset-or-time schedule has { timetable, assets }.`);
    }
    if (timetable === undefined || timetable === null) {
      throw new DagDefinitionError(
        `${where}: a { timetable, assets } schedule needs a timetable (a cron expression, a preset or a timetable object); ` +
          'for assets only, pass the assets as the schedule.',
      );
    }
    const condition = isAssetCondition(assets) ? assets : Array.isArray(assets) ? conditionOf(where, assets) : null;
    if (!condition) {
      throw new DagDefinitionError(`${where}: the assets of a { timetable, assets } schedule must be an asset, a list of assets or an asset condition.`);
    }
    return { timeSchedule: timetable, condition, describe: (summary) => `Asset or ${summary}` };
  }
  return null;
}

function conditionOf(where: string, list: readonly unknown[]): AssetCondition {
  if (list.length === 0) throw new DagDefinitionError(`${where}: the list of schedule assets is empty.`);
  list.forEach((item, index) => {
    if (!isAssetCondition(item)) {
      throw new DagDefinitionError(`${where}: schedule item ${index + 1} is not an asset; build assets with asset('s3://bucket/prefix/').`);
    }
  });
  const conditions = list as AssetCondition[];
  return conditions.length === 1 ? conditions[0]! : assetAll(...conditions);
}
