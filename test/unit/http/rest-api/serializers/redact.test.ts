import { describe, expect, it } from 'vitest';
import { restoreRedacted } from '../../../../../src/http/rest-api/serializers/connection.ts';
import { redact } from '../../../../../src/http/rest-api/serializers/redact.ts';
import { displayedVariableValue } from '../../../../../src/http/rest-api/serializers/variable.ts';

describe('redact', () => {
  it('masks everything under a sensitive key, at any depth', () => {
    expect(redact({ host: 'h', auth: { Password: 'p', user: 'u' }, tokens: ['a', 'b'], nested: [{ api_key: 1 }] })).toEqual({
      host: 'h',
      auth: { Password: '***', user: 'u' },
      tokens: ['***', '***'],
      nested: [{ api_key: '***' }],
    });
  });
});

describe('displayedVariableValue', () => {
  it('keeps plain values as stored and masks sensitive ones', () => {
    expect(displayedVariableValue('region', '{ "a": 1 }')).toBe('{ "a": 1 }');
    expect(displayedVariableValue('aws_secret', 'x')).toBe('***');
    expect(displayedVariableValue('conf', '{"secret_key":"x","n":1}')).toBe('{"secret_key":"***","n":1}');
  });
});

describe('restoreRedacted', () => {
  it('puts the stored secret back where a client echoed the mask', () => {
    expect(restoreRedacted('***', 'real')).toBe('real');
    expect(restoreRedacted({ token: '***', mode: 'new' }, { token: 'real', mode: 'old' })).toEqual({ token: 'real', mode: 'new' });
    expect(restoreRedacted('changed', 'real')).toBe('changed');
  });
});
