/** Airflow 3's thirteen trigger rules, with Airflow's string values. */
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

export type TriggerRule = (typeof TRIGGER_RULES)[number];

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value);
}
