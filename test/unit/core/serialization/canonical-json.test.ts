import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { canonicalJson } from '../../../../src/core/serialization/index.ts';

describe('canonicalJson()', () => {
  it('gives the same text whatever the key order, at every level', () => {
    const a = { b: 1, a: { y: [3, { q: 1, p: 2 }], x: null } };
    const b = { a: { x: null, y: [3, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":null,"y":[3,{"p":2,"q":1}]},"b":1}');
  });

  it('keeps array order and follows JSON.stringify for dates and undefined', () => {
    expect(canonicalJson([2, 1, undefined])).toBe('[2,1,null]');
    expect(canonicalJson({ at: new Date('2025-01-01T00:00:00Z'), gone: undefined })).toBe('{"at":"2025-01-01T00:00:00.000Z"}');
    expect(canonicalJson('text')).toBe('"text"');
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(ValidationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow('the value refers back to itself at $.self.back');
  });
});
