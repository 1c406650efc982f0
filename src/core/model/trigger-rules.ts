/**
 * Airflow 3's thirteen trigger rules. The SDK owns the list (DAG files must not import the rest of
 * Updraft); core uses the same one.
 */
export { TRIGGER_RULES, isTriggerRule, type TriggerRule } from '../../sdk/trigger-rules.ts';
