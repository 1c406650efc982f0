import { describe, expect, it } from 'vitest';
import { TRIGGER_RULES as CORE_TRIGGER_RULES } from '../../../src/core/model/trigger-rules.ts';
import { TRIGGER_RULES, isTriggerRule } from 'updraft/sdk';

describe('the SDK’s trigger rules', () => {
  it('are exactly the core’s thirteen, in the same order', () => {
    expect([...TRIGGER_RULES]).toEqual([...CORE_TRIGGER_RULES]);
    expect(TRIGGER_RULES).toHaveLength(13);
  });

  it('recognise only those values', () => {
    expect(isTriggerRule('all_done_min_one_success')).toBe(true);
    expect(isTriggerRule('none_failed_or_skipped')).toBe(false);
    expect(isTriggerRule(undefined)).toBe(false);
  });
});
