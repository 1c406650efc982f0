import { resolveDagCallbackList, type DagRunCallback, type DagRunCallbacks } from './dag-callbacks.ts';
import { DagDefinitionError } from './errors.ts';

/**
 * The moment a deadline is counted from (Airflow 3.1's `DeadlineReference`). The `dagrun_*` kinds are
 * for a DAG's `deadline`, the `task_*` kinds for a task's; `fixed_datetime` is for both.
 *
 * @example
 * ```ts
 * const reference: DeadlineReferenceValue = DeadlineReference.DAGRUN_QUEUED_AT;
 * ```
 */
export type DeadlineReferenceValue =
  | { readonly kind: 'dagrun_queued_at' }
  | { readonly kind: 'dagrun_logical_date' }
  | { readonly kind: 'task_queued_at' }
  | { readonly kind: 'task_started_at' }
  | { readonly kind: 'fixed_datetime'; readonly at: Date };

/**
 * The built-in deadline references: when the run was queued, its logical date, when the task
 * instance's current try was queued or started (for a task's `deadline`), or a fixed instant.
 *
 * @example
 * ```ts
 * DeadlineReference.DAGRUN_LOGICAL_DATE;
 * DeadlineReference.TASK_STARTED_AT;
 * DeadlineReference.FIXED_DATETIME(new Date('2025-06-01T06:00:00Z'));
 * ```
 */
export const DeadlineReference = Object.freeze({
  DAGRUN_QUEUED_AT: Object.freeze({ kind: 'dagrun_queued_at' }) as DeadlineReferenceValue,
  DAGRUN_LOGICAL_DATE: Object.freeze({ kind: 'dagrun_logical_date' }) as DeadlineReferenceValue,
  /** For a task's `deadline`: when the instance's current try was queued (it has none before that). */
  TASK_QUEUED_AT: Object.freeze({ kind: 'task_queued_at' }) as DeadlineReferenceValue,
  /** For a task's `deadline`: when the instance's current try started running (it has none before that). */
  TASK_STARTED_AT: Object.freeze({ kind: 'task_started_at' }) as DeadlineReferenceValue,
  FIXED_DATETIME(at: Date | string): DeadlineReferenceValue {
    const date = at instanceof Date ? new Date(at.getTime()) : new Date(at);
    if (Number.isNaN(date.getTime())) {
      throw new DagDefinitionError(`DeadlineReference.FIXED_DATETIME needs a Date or an ISO-8601 string with an offset, got ${JSON.stringify(at)}.`);
    }
    return Object.freeze({ kind: 'fixed_datetime', at: date });
  },
});

/**
 * A DAG's or a task's `deadline` (Airflow 3.1's `DeadlineAlert`, which replaces SLAs): when a run (or a
 * task instance) has not ended `interval` seconds after `reference`, `callback` runs once for it. A
 * task's callback gets the run's context with `ctx.taskInstance` naming the instance.
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

/** Who owns a deadline: a DAG (its runs) or a task (its instances). */
export type DeadlineScope = 'dag' | 'task';

const REFERENCES: Record<DeadlineScope, { kinds: readonly string[]; names: string }> = {
  dag: {
    kinds: ['dagrun_queued_at', 'dagrun_logical_date', 'fixed_datetime'],
    names: 'DeadlineReference.DAGRUN_QUEUED_AT, DeadlineReference.DAGRUN_LOGICAL_DATE or DeadlineReference.FIXED_DATETIME(date)',
  },
  task: {
    kinds: ['task_queued_at', 'task_started_at', 'fixed_datetime'],
    names: 'DeadlineReference.TASK_QUEUED_AT, DeadlineReference.TASK_STARTED_AT or DeadlineReference.FIXED_DATETIME(date)',
  },
};

/** Validates the `deadline` option of `dag()` (scope `dag`) or of a task (scope `task`). */
export function resolveDeadline(where: string, value: unknown, scope: DeadlineScope = 'dag'): ResolvedDeadlineAlert | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DagDefinitionError(`${where}: deadline must be { reference, interval, callback }, got ${typeof value}.`);
  }
  const unknown = Object.keys(value).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) {
    throw new DagDefinitionError(`${where}: deadline has unknown option(s) ${unknown.join(', ')}; it takes reference, interval and callback.`);
  }
  const { reference, interval, callback } = value as Partial<DeadlineAlert>;
  const allowed = REFERENCES[scope];
  if (!isReference(reference)) {
    throw new DagDefinitionError(`${where}: deadline.reference must be ${allowed.names}.`);
  }
  if (!allowed.kinds.includes(reference.kind)) {
    const other = scope === 'dag' ? 'a task' : 'a DAG';
    throw new DagDefinitionError(
      `${where}: deadline.reference DeadlineReference.${reference.kind.toUpperCase()} is for ${other}'s deadline; a ${scope === 'dag' ? 'DAG' : 'task'}'s deadline takes ${allowed.names}.`,
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
  if (kind === 'dagrun_queued_at' || kind === 'dagrun_logical_date' || kind === 'task_queued_at' || kind === 'task_started_at') return true;
  return kind === 'fixed_datetime' && at instanceof Date && !Number.isNaN(at.getTime());
}
