import { createHmac, timingSafeEqual } from 'node:crypto';
import { UpdraftError } from '../../core/errors.ts';
import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { Clock } from '../../core/ports/clock.ts';

/** What a task token proves: the bearer may act for this one attempt until `exp` (epoch seconds). */
export interface TaskTokenClaims extends TaskAttemptKey {
  exp: number;
}

export class TaskTokenError extends UpdraftError {
  constructor(message: string) {
    super('invalid_token', message);
  }
}

/**
 * Short-lived tokens scoped to one task attempt: a compact HS256 JWT. The key never reaches workers;
 * workers only carry the token they were handed in the workload.
 */
export class TaskTokens {
  private readonly key: Buffer;

  constructor(
    secret: string | Uint8Array,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(secret);
    if (this.key.length < 32) throw new Error('The task token signing key must be at least 32 bytes.');
  }

  issue(attempt: TaskAttemptKey, ttlSeconds: number): string {
    const claims: TaskTokenClaims = {
      dagId: attempt.dagId,
      runId: attempt.runId,
      taskId: attempt.taskId,
      mapIndex: attempt.mapIndex,
      tryNumber: attempt.tryNumber,
      exp: Math.floor(this.clock.now().getTime() / 1000) + Math.ceil(ttlSeconds),
    };
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${header}.${body}.${this.sign(`${header}.${body}`)}`;
  }

  /** Returns the claims of a valid, unexpired token; throws TaskTokenError otherwise. */
  verify(token: string): TaskTokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TaskTokenError('The task token is malformed.');
    const [header, body, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${body}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new TaskTokenError('The task token signature is not valid.');
    }
    let claims: TaskTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TaskTokenClaims;
    } catch {
      throw new TaskTokenError('The task token is malformed.');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.clock.now().getTime()) {
      throw new TaskTokenError('The task token has expired.');
    }
    return claims;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}
