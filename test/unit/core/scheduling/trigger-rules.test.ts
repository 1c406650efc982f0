import { describe, expect, it } from 'vitest';
import type { TaskInstanceState as S } from '../../../../src/core/model/states.ts';
import { TRIGGER_RULES, type TriggerRule } from '../../../../src/core/model/trigger-rules.ts';
import { evaluateTriggerRule, summarizeUpstream } from '../../../../src/core/scheduling/trigger-rules.ts';

function outcome(rule: TriggerRule, states: S[], setupStates: S[] = []) {
  return evaluateTriggerRule(rule, summarizeUpstream(states, setupStates));
}

type Case = [states: S[], expected: ReturnType<typeof outcome>, setupStates?: S[]];

// Every rule with each outcome it can produce, following Airflow 3's TriggerRuleDep with flag_upstream_failed.
const CASES: Record<TriggerRule, Case[]> = {
  all_success: [
    [['success', 'success'], 'ready'],
    [['success', 'running'], 'waiting'],
    [['success', 'skipped'], 'skip'],
    [['failed', 'running'], 'upstream_failed'],
    [['upstream_failed', 'success'], 'upstream_failed'],
  ],
  all_failed: [
    [['failed', 'upstream_failed'], 'ready'],
    [['failed', 'running'], 'waiting'],
    [['failed', 'success'], 'skip'],
    [['skipped', 'failed'], 'skip'],
  ],
  all_done: [
    [['success', 'failed', 'skipped', 'upstream_failed'], 'ready'],
    [['skipped', 'skipped'], 'ready'],
    [['failed', 'running'], 'waiting'],
    [['up_for_retry'], 'waiting'],
  ],
  all_done_setup_success: [
    [['success', 'failed'], 'ready', ['success']],
    [['failed', 'failed'], 'ready', []],
    [['success', 'running'], 'waiting', ['success']],
    [['skipped', 'success'], 'skip', ['skipped']],
    [['failed', 'success'], 'upstream_failed', ['failed']],
  ],
  one_success: [
    [['success', 'running'], 'ready'],
    [['failed', 'running'], 'waiting'],
    [['skipped', 'skipped'], 'skip'],
    [['failed', 'skipped'], 'upstream_failed'],
  ],
  one_failed: [
    [['failed', 'running'], 'ready'],
    [['upstream_failed', 'none'], 'ready'],
    [['success', 'running'], 'waiting'],
    [['success', 'skipped'], 'skip'],
  ],
  one_done: [
    [['success', 'running'], 'ready'],
    [['failed', 'none'], 'ready'],
    [['skipped', 'running'], 'waiting'],
    [['skipped', 'upstream_failed'], 'skip'],
  ],
  none_failed: [
    [['success', 'skipped'], 'ready'],
    [['success', 'running'], 'waiting'],
    [['failed', 'running'], 'upstream_failed'],
    [['upstream_failed', 'success'], 'upstream_failed'],
  ],
  none_skipped: [
    [['success', 'failed', 'upstream_failed'], 'ready'],
    [['success', 'running'], 'waiting'],
    [['skipped', 'running'], 'skip'],
  ],
  none_failed_min_one_success: [
    [['success', 'skipped'], 'ready'],
    [['skipped', 'running'], 'waiting'],
    [['skipped', 'skipped'], 'skip'],
    [['failed', 'success'], 'upstream_failed'],
  ],
  all_skipped: [
    [['skipped', 'skipped'], 'ready'],
    [['skipped', 'running'], 'waiting'],
    [['skipped', 'success'], 'skip'],
    [['failed', 'none'], 'skip'],
  ],
  always: [
    [['running', 'none'], 'ready'],
    [['failed', 'upstream_failed'], 'ready'],
  ],
  all_done_min_one_success: [
    [['success', 'failed'], 'ready'],
    [['success', 'upstream_failed'], 'ready'],
    [['success', 'running'], 'waiting'],
    [['success', 'skipped'], 'skip'],
    [['failed', 'upstream_failed'], 'upstream_failed'],
  ],
};

describe('evaluateTriggerRule', () => {
  it('covers all thirteen rules', () => {
    expect(Object.keys(CASES).sort()).toEqual([...TRIGGER_RULES].sort());
  });

  for (const rule of TRIGGER_RULES) {
    describe(rule, () => {
      for (const [states, expected, setups] of CASES[rule]) {
        it(`upstreams [${states.join(', ')}]${setups?.length ? ` (setups ${setups.join(', ')})` : ''} → ${expected}`, () => {
          expect(outcome(rule, states, setups)).toBe(expected);
        });
      }

      it('is ready when the task has no upstream', () => {
        expect(outcome(rule, [])).toBe('ready');
      });
    });
  }

  it('counts removed upstreams against all_success for unmapped tasks but not for mapped ones', () => {
    const summary = summarizeUpstream(['success', 'removed']);
    expect(evaluateTriggerRule('all_success', summary)).toBe('waiting');
    expect(evaluateTriggerRule('all_success', summary, { mapIndex: 0 })).toBe('ready');
  });
});

describe('summarizeUpstream', () => {
  it('counts finished states as done and unfinished ones only as upstream', () => {
    expect(summarizeUpstream(['success', 'failed', 'running', 'none', 'skipped'], ['success'])).toEqual({
      upstream: 5,
      success: 1,
      skipped: 1,
      failed: 1,
      upstreamFailed: 0,
      removed: 0,
      done: 3,
      upstreamSetup: 1,
      successSetup: 1,
      skippedSetup: 0,
    });
  });
});
