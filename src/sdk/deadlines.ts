import { resolveDagCallbackList, type DagRunCallback, type DagRunCallbacks } from './dag-callbacks.ts';
import { DagDefinitionError } from './errors.ts';

/**
 * The moment a deadline is counted from (Airflow 3.1's `DeadlineReference`).
 *
 * @example
 * ```ts
 * const reference: DeadlineReferenceValue = DeadlineReference.DAGRUN_QUEUED_AT;
 * ```
 */
export type DeadlineReferenceValue =
  | { readonly kind: 'dagrun_queued_at' }
  | { readonly kind: 'dagrun_logical_date' }
  | { readonly kind: 'fixed_datetime'; readonly at: Date };

/**
 * The built-in deadline references: when the run was queued, its logical date, or a fixed instant.
 *
 * @example
 * ```ts
 * DeadlineReference.DAGRUN_LOGICAL_DATE;
 * DeadlineReference.FIXED_DATETIME(new Date('2025-06-01T06:00:00Z'));
 * ```
 */
export const DeadlineReference = Object.freeze({
  DAGRUN_QUEUED_AT: Object.freeze({ kind: 'dagrun_queued_at' }) as DeadlineReferenceValue,
  DAGRUN_LOGICAL_DATE: Object.freeze({ kind: 'dagrun_logical_date' }) as DeadlineReferenceValue,
  FIXED_DATETIME(at: Date | string): DeadlineReferenceValue {
    const date = at instanceof Date ? new Date(at.getTime()) : new Date(at);
    if (Number.isNaN(date.getTime())) {
      throw new DagDefinitionError(`DeadlineReference.FIXED_DATETIME needs a Date or an ISO-8601 string with an offset, got ${JSON.stringify(at)}.`);
    }
    return Object.freeze({ kind: 'fixed_datetime', at: date });
  },
});

/**
 * A DAG's `deadline` (Airflow 3.1's `DeadlineAlert`, which replaces SLAs): when a run has not ended
 * `interval` seconds after `reference`, `callback` runs once for that run.
 *
 * @example
 * ```ts
 * const deadline: DeadlineAlert = {
 *   reference: DeadlineReference.DAGRUN_QUEUED_AT,
 *   interval: 15 * 60,
 *   callback: httpNotifier({ connId: 'slack_alerts' }),
 * };
 * ```
 */
export interface DeadlineAlert {
  reference: DeadlineReferenceValue;
  /** Seconds after the reference (negative: before it, e.g. before a FIXED_DATETIME). */
  interval: number;
  callback: DagRunCallbacks;
}

/** A deadline after validation. */
export interface ResolvedDeadlineAlert {
  readonly reference: DeadlineReferenceValue;
  readonly intervalSeconds: number;
  readonly callbacks: readonly DagRunCallback[];
}

const KEYS = ['reference', 'interval', 'callback'];

/** Validates the `deadline` option of `dag()`. */
export function resolveDeadline(where: string, value: unknown): ResolvedDeadlineAlert | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DagDefinitionError(`${where}: deadline must be { reference, interval, callback }, got ${typeof value}.`);
  }
  const unknown = Object.keys(value).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) {
    throw new DagDefinitionError(`${where}: deadline has unknown option(s) ${unknown.join(', ')}; it takes reference, interval and callback.`);
  }
  const { reference, interval, callback } = value as Partial<DeadlineAlert>;
  if (!isReference(reference)) {
    throw new DagDefinitionError(
      `${where}: deadline.reference must be DeadlineReference.DAGRUN_QUEUED_AT, DeadlineReference.DAGRUN_LOGICAL_DATE or DeadlineReference.FIXED_DATETIME(date).`,
    );
  }
  if (typeof interval !== 'number' || !Number.isFinite(interval)) {
    throw new DagDefinitionError(`${where}: deadline.interval must be a number of seconds (e.g. 900 for 15 minutes), got ${JSON.stringify(interval)}.`);
  }
  const callbacks = resolveDagCallbackList(where, 'deadline.callback', callback);
  if (callbacks.length === 0) {
    throw new DagDefinitionError(`${where}: deadline.callback is required: a function (ctx, info) => ... or a notifier such as snsNotifier({ topicArn }).`);
  }
  return Object.freeze({ reference, intervalSeconds: interval, callbacks });
}

function isReference(value: unknown): value is DeadlineReferenceValue {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, at } = value as { kind?: unknown; at?: unknown };
  if (kind === 'dagrun_queued_at' || kind === 'dagrun_logical_date') return true;
  return kind === 'fixed_datetime' && at instanceof Date && !Number.isNaN(at.getTime());
}
