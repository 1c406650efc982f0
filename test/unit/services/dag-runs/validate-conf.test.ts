import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { targetStateOnRunEnd } from '../../../../src/services/dag-runs/set-dag-run-state.ts';
import { validateConfAgainstParams } from '../../../../src/services/dag-runs/validate-conf.ts';

describe('validateConfAgainstParams', () => {
  const params = { table: { type: 'string' as const }, batch: { default: 10, type: 'integer' as const }, free: { default: null } };

  it('accepts conf that gives required params, falls back to defaults, and lets other keys through', () => {
    expect(() => validateConfAgainstParams(params, { table: 'orders', extra: [1] })).not.toThrow();
  });

  it('names a required param the conf leaves out', () => {
    expect(() => validateConfAgainstParams(params, {})).toThrow(ValidationError);
    expect(() => validateConfAgainstParams(params, {})).toThrow(/Param "table" has no default/);
  });

  it('names a param whose value has the wrong type', () => {
    expect(() => validateConfAgainstParams(params, { table: 't', batch: 1.5 })).toThrow(/Param "batch" must be of type integer/);
    expect(() => validateConfAgainstParams(params, { table: 3 })).toThrow(/Param "table" must be of type string/);
  });
});

describe('targetStateOnRunEnd', () => {
  it('follows Airflow: success marks every unfinished instance success, finished ones stay', () => {
    expect(targetStateOnRunEnd('none', 'success')).toBe('success');
    expect(targetStateOnRunEnd('running', 'success')).toBe('success');
    expect(targetStateOnRunEnd('failed', 'success')).toBeNull();
  });

  it('follows Airflow: failed fails running, deferred and rescheduling instances and skips the rest', () => {
    expect(targetStateOnRunEnd('running', 'failed')).toBe('failed');
    expect(targetStateOnRunEnd('deferred', 'failed')).toBe('failed');
    expect(targetStateOnRunEnd('up_for_reschedule', 'failed')).toBe('failed');
    expect(targetStateOnRunEnd('queued', 'failed')).toBe('skipped');
    expect(targetStateOnRunEnd('none', 'failed')).toBe('skipped');
    expect(targetStateOnRunEnd('success', 'failed')).toBeNull();
  });
});
