import { describe, expect, it } from 'vitest';
import { TRIGGER_RULES, isTriggerRule } from 'updraft/sdk';

describe('the SDK’s trigger rules', () => {
  it('are Airflow 3’s thirteen', () => {
    expect([...TRIGGER_RULES].sort()).toEqual(
      [
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
      ].sort(),
    );
  });

  it('recognise only those values', () => {
    expect(isTriggerRule('all_done_min_one_success')).toBe(true);
    expect(isTriggerRule('none_failed_or_skipped')).toBe(false);
    expect(isTriggerRule(undefined)).toBe(false);
  });
});
