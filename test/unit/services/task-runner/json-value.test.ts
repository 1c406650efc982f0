import { describe, expect, it } from 'vitest';
import { XComValueError } from '../../../../src/services/task-runner/errors.ts';
import { toJsonValue } from '../../../../src/services/task-runner/json-value.ts';

describe('toJsonValue', () => {
  it('passes plain JSON data through and turns Dates into ISO strings', () => {
    expect(toJsonValue({ a: [1, 'x', null, true], b: { c: 2.5 } }, 'v')).toEqual({ a: [1, 'x', null, true], b: { c: 2.5 } });
    expect(toJsonValue(new Date('2024-01-01T00:00:00Z'), 'v')).toBe('2024-01-01T00:00:00.000Z');
    expect(toJsonValue('line', 'v')).toBe('line');
  });

  it.each([
    ['a function', { f: () => 1 }, /\$\.f is a function/],
    ['a Map', new Map(), /\$ is a Map/],
    ['a bigint', [1n], /\$\[0\] is a bigint/],
    ['NaN', { n: Number.NaN }, /\$\.n is NaN/],
    ['an undefined member', { u: undefined }, /\$\.u is undefined/],
  ])('refuses %s and says where it is', (_name, value, where) => {
    expect(() => toJsonValue(value, 'The return value of task "t"')).toThrow(XComValueError);
    expect(() => toJsonValue(value, 'The return value of task "t"')).toThrow(where);
  });

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJsonValue(cyclic, 'v')).toThrow(/cycle/);
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(toJsonValue({ a: shared, b: shared }, 'v')).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
