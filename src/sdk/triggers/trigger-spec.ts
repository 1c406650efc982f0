/**
 * What a deferred task waits for, as plain JSON: a trigger kind the triggerer knows (a built-in such as
 * `datetime` or `s3_key`, or the name of a trigger made with `defineTrigger`) and its arguments. It is
 * stored with the task instance, so everything in `kwargs` must be JSON.
 *
 * @example
 * ```ts
 * const spec: TriggerSpec = { kind: 's3_key', kwargs: { bucket: 'landing', key: 'orders/2025-01-01.csv' } };
 * ```
 */
export interface TriggerSpec {
  kind: string;
  kwargs: Record<string, unknown>;
}

/**
 * What a trigger yields when it fires (Airflow's `TriggerEvent`): its payload reaches the resumed task
 * as `ctx.resume.event`. The payload must be JSON.
 *
 * @example
 * ```ts
 * const fired: TriggerEvent = { payload: { key: 'orders/2025-01-01.csv', size: 1024 } };
 * ```
 */
export interface TriggerEvent {
  payload: unknown;
}

/**
 * The built-in trigger kinds. `datetime` fires in the scheduler itself (no I/O); the others are polled by
 * the triggerer function. `timedelta` never reaches storage: deferring turns it into a `datetime`.
 *
 * @example
 * ```ts
 * BUILTIN_TRIGGER_KINDS.includes('s3_key'); // true
 * ```
 */
export const BUILTIN_TRIGGER_KINDS = ['datetime', 'timedelta', 's3_key', 'external_run', 'http'] as const;

/**
 * Whether a value is a trigger spec (`{ kind: string, kwargs: object }`).
 *
 * @example
 * ```ts
 * isTriggerSpec(dateTimeTrigger('2025-01-01T06:00:00Z')); // true
 * ```
 */
export function isTriggerSpec(value: unknown): value is TriggerSpec {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, kwargs } = value as { kind?: unknown; kwargs?: unknown };
  return typeof kind === 'string' && kind !== '' && typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs);
}
