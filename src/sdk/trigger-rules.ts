/**
 * Airflow 3's thirteen trigger rules, with Airflow's string values. The SDK keeps its own copy (it
 * imports nothing else of Updraft's); a unit test proves it equals the core list.
 *
 * @example
 * ```ts
 * import { TRIGGER_RULES } from 'updraft/sdk';
 * TRIGGER_RULES.includes('all_done'); // true
 * ```
 */
export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_done_setup_success',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_skipped',
  'none_failed_min_one_success',
  'all_skipped',
  'always',
  'all_done_min_one_success',
] as const;

/**
 * When a task may run, given the states of its direct upstream tasks (Airflow's `trigger_rule`).
 *
 * @example
 * ```ts
 * const rule: TriggerRule = 'none_failed_min_one_success';
 * ```
 */
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/**
 * Whether a value is one of the thirteen trigger rules.
 *
 * @example
 * ```ts
 * isTriggerRule('all_done'); // true
 * isTriggerRule('all_sucess'); // false
 * ```
 */
export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value);
}
