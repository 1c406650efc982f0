import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../../src/core/env-config.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const schema = z.strictObject({ UPDRAFT_BUCKET: z.string().min(1), UPDRAFT_LIMIT: z.coerce.number().int().optional() });

describe('parseUpdraftEnvironment', () => {
  it('reads only UPDRAFT_* variables and coerces them', () => {
    expect(parseUpdraftEnvironment(schema, { UPDRAFT_BUCKET: 'b', UPDRAFT_LIMIT: '3', PATH: '/bin' }, 'test')).toEqual({
      UPDRAFT_BUCKET: 'b',
      UPDRAFT_LIMIT: 3,
    });
  });

  it('names an unknown UPDRAFT_* variable and lists the known ones', () => {
    expect(() => parseUpdraftEnvironment(schema, { UPDRAFT_BUCKET: 'b', UPDRAFT_BUKET: 'typo' }, 'worker')).toThrow(
      new ConfigError(
        'The worker configuration is not valid: unknown variable UPDRAFT_BUKET (remove or fix the name). ' +
          'Known variables: UPDRAFT_BUCKET, UPDRAFT_LIMIT.',
      ),
    );
  });

  it('names a missing or invalid variable', () => {
    expect(() => parseUpdraftEnvironment(schema, { UPDRAFT_LIMIT: 'many' }, 'worker')).toThrow(/UPDRAFT_BUCKET: .*UPDRAFT_LIMIT: /);
  });
});
