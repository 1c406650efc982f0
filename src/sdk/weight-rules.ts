/**
 * Airflow's weight rules: how a task's `priorityWeight` becomes the weight the scheduler orders by.
 * - `downstream` (the default): its own weight plus the weights of every task downstream of it, direct
 *   or not, so the tasks that unblock the most work run first.
 * - `upstream`: its own weight plus the weights of every task upstream of it, so runs that are further
 *   along finish first.
 * - `absolute`: its own weight only.
 *
 * @example
 * ```ts
 * import { WEIGHT_RULES } from 'updraft/sdk';
 * WEIGHT_RULES.includes('upstream'); // true
 * ```
 */
export const WEIGHT_RULES = ['downstream', 'upstream', 'absolute'] as const;

/**
 * One of Airflow's weight rules (`weight_rule`).
 *
 * @example
 * ```ts
 * const rule: WeightRule = 'absolute';
 * ```
 */
export type WeightRule = (typeof WEIGHT_RULES)[number];

/** Airflow's default weight rule. */
export const DEFAULT_WEIGHT_RULE: WeightRule = 'downstream';

/**
 * Whether a value is one of the weight rules.
 *
 * @example
 * ```ts
 * isWeightRule('downstream'); // true
 * isWeightRule('DOWNSTREAM'); // false
 * ```
 */
export function isWeightRule(value: unknown): value is WeightRule {
  return typeof value === 'string' && (WEIGHT_RULES as readonly string[]).includes(value);
}
