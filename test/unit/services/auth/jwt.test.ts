import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { AuthenticationError } from '../../../../src/services/auth/errors.ts';
import { ApiTokenCodec } from '../../../../src/services/auth/jwt.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const NOW = '2026-03-01T10:00:00.000Z';

function parts(token: string) {
  const [header, body, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>,
    raw: { header, body, signature },
  };
}

const reencode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('ApiTokenCodec', () => {
  it('issues an HS256 JWT with sub, role, iat, exp, iss and aud', () => {
    const codec = new ApiTokenCodec(SECRET, new ManualClock(NOW), 3600);
    const { header, claims } = parts(codec.issue('alice', 'op'));
    const iat = Date.parse(NOW) / 1000;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({ sub: 'alice', role: 'op', iat, exp: iat + 3600, iss: 'updraft', aud: 'updraft' });
  });

  it('verifies its own token until it expires', () => {
    const clock = new ManualClock(NOW);
    const codec = new ApiTokenCodec(SECRET, clock, 60);
    const token = codec.issue('alice', 'viewer');
    expect(codec.verify(token)).toMatchObject({ sub: 'alice', role: 'viewer' });
    clock.advanceSeconds(59);
    expect(codec.verify(token).sub).toBe('alice');
    clock.advanceSeconds(1);
    expect(() => codec.verify(token)).toThrow(AuthenticationError);
    expect(() => codec.verify(token)).toThrow(/expired at 2026-03-01T10:01:00.000Z.*POST \/auth\/token/);
  });

  it('refuses a token signed with another secret', () => {
    const clock = new ManualClock(NOW);
    const token = new ApiTokenCodec(`${SECRET}-other`, clock, 60).issue('alice', 'admin');
    expect(() => new ApiTokenCodec(SECRET, clock, 60).verify(token)).toThrow(/signature is not valid/);
  });

  it('refuses a token whose claims were altered', () => {
    const codec = new ApiTokenCodec(SECRET, new ManualClock(NOW), 60);
    const { claims, raw } = parts(codec.issue('bob', 'viewer'));
    const forged = `${raw.header}.${reencode({ ...claims, role: 'admin' })}.${raw.signature}`;
    expect(() => codec.verify(forged)).toThrow(/signature is not valid/);
  });

  it('refuses "alg": "none" and other algorithms whatever the signature', () => {
    const codec = new ApiTokenCodec(SECRET, new ManualClock(NOW), 60);
    const { raw } = parts(codec.issue('bob', 'viewer'));
    expect(() => codec.verify(`${reencode({ alg: 'none', typ: 'JWT' })}.${raw.body}.${raw.signature}`)).toThrow(/not an HS256 JWT/);
    expect(() => codec.verify(`${reencode({ alg: 'none' })}.${raw.body}.`)).toThrow(/malformed/);
  });

  it('refuses malformed tokens with a message saying what to do', () => {
    const codec = new ApiTokenCodec(SECRET, new ManualClock(NOW), 60);
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', '..']) {
      expect(() => codec.verify(token)).toThrow(AuthenticationError);
    }
    expect(() => codec.verify('abc')).toThrow(/malformed.*POST \/auth\/token/);
  });

  it('refuses a correctly signed token issued for another audience', () => {
    const clock = new ManualClock(NOW);
    const codec = new ApiTokenCodec(SECRET, clock, 60);
    const { claims, raw } = parts(codec.issue('bob', 'viewer'));
    // Signed with the same key, so only the audience check can refuse it.
    const body = reencode({ ...claims, aud: 'something-else' });
    const signature = createHmac('sha256', SECRET).update(`${raw.header}.${body}`).digest('base64url');
    expect(() => codec.verify(`${raw.header}.${body}.${signature}`)).toThrow(/not issued for this API/);
  });

  it('demands a secret of at least 32 characters and a positive lifetime', () => {
    const clock = new ManualClock(NOW);
    expect(() => new ApiTokenCodec('short', clock, 60)).toThrow(ConfigError);
    expect(() => new ApiTokenCodec('short', clock, 60)).toThrow(/at least 32 characters/);
    expect(() => new ApiTokenCodec(SECRET, clock, 0)).toThrow(/positive number of seconds/);
  });
});
