import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { AuthenticationError } from './errors.ts';

/** Issuer and audience of REST API tokens: a token made for another system (or by one) is refused. */
export const JWT_ISSUER = 'updraft';
export const JWT_AUDIENCE = 'updraft';

/** The claims of a REST API token (RFC 7519 names; `role` as Airflow's simple auth manager puts it). */
export interface ApiTokenClaims {
  sub: string;
  role: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

const GET_TOKEN = 'Get a new token from POST /auth/token.';

/**
 * HS256 JWTs for the REST API. Its own secret (api_auth.jwt_secret), never the task tokens' key: a task
 * token must not open the public API, nor the reverse.
 */
export class ApiTokenCodec {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly clock: Clock,
    private readonly expirationSeconds: number,
  ) {
    this.key = Buffer.from(secret, 'utf8');
    if (this.key.length < 32) {
      throw new ConfigError(
        'The REST API token secret ([api_auth] jwt_secret) must be at least 32 characters; generate one with `openssl rand -base64 48`.',
      );
    }
    if (!Number.isInteger(expirationSeconds) || expirationSeconds < 1) {
      throw new ConfigError(`The token lifetime ([api_auth] jwt_expiration_time) must be a positive number of seconds, not ${expirationSeconds}.`);
    }
  }

  issue(subject: string, role: string): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const claims: ApiTokenClaims = { sub: subject, role, iat, exp: iat + this.expirationSeconds, iss: JWT_ISSUER, aud: JWT_AUDIENCE };
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const body = encode(claims);
    return `${header}.${body}.${this.sign(`${header}.${body}`)}`;
  }

  /** The claims of a token this codec issued that has not expired; AuthenticationError otherwise. */
  verify(token: string): ApiTokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((part) => part === '')) {
      throw new AuthenticationError(`The token is malformed (a JWT has three dot-separated parts). ${GET_TOKEN}`);
    }
    const [header, body, signature] = parts as [string, string, string];
    // The algorithm is fixed, whatever the header says: "alg": "none" or a key-confusion trick gets nowhere.
    const parsedHeader = decode(header);
    if (parsedHeader?.alg !== 'HS256') {
      throw new AuthenticationError(`The token is not an HS256 JWT issued by this API. ${GET_TOKEN}`);
    }
    const expected = Buffer.from(this.sign(`${header}.${body}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new AuthenticationError(
        `The token's signature is not valid: it was not issued by this API, was altered, or the secret has changed since. ${GET_TOKEN}`,
      );
    }
    const claims = decode(body);
    if (
      !claims ||
      typeof claims.sub !== 'string' ||
      typeof claims.role !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw new AuthenticationError(`The token is malformed (its claims are incomplete). ${GET_TOKEN}`);
    }
    if (claims.iss !== JWT_ISSUER || claims.aud !== JWT_AUDIENCE) {
      throw new AuthenticationError(`The token was not issued for this API (issuer or audience is not "${JWT_ISSUER}"). ${GET_TOKEN}`);
    }
    if (claims.exp * 1000 <= this.clock.now().getTime()) {
      throw new AuthenticationError(`The token expired at ${new Date(claims.exp * 1000).toISOString()}. ${GET_TOKEN}`);
    }
    return claims as unknown as ApiTokenClaims;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
