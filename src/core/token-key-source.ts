import { z } from 'zod';
import { ConfigError } from './errors.ts';

/** The environment fields of a function that needs the task token signing key. */
export const TOKEN_KEY_ENV_FIELDS = {
  /** The Secrets Manager secret (id or ARN) that holds the key: what the stack sets. */
  UPDRAFT_TOKEN_KEY_SECRET_ID: z.string().min(1).optional(),
  /** The key itself: for local runs and tests only. */
  UPDRAFT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
};

/** Where a function finds the token signing key: Secrets Manager in AWS, or inline for development. */
export type TokenKeySource = { kind: 'inline'; secret: string } | { kind: 'secrets_manager'; secretId: string };

/**
 * Exactly one of `UPDRAFT_TOKEN_KEY_SECRET_ID` (the secret's id or ARN: what the stack sets) and
 * `UPDRAFT_TOKEN_SECRET` (the key itself: for local runs and tests) must be set.
 */
export function tokenKeySourceFrom(env: { UPDRAFT_TOKEN_SECRET?: string; UPDRAFT_TOKEN_KEY_SECRET_ID?: string }, what: string): TokenKeySource {
  const { UPDRAFT_TOKEN_SECRET: secret, UPDRAFT_TOKEN_KEY_SECRET_ID: secretId } = env;
  if (secret !== undefined && secretId !== undefined) {
    throw new ConfigError(`The ${what} configuration sets both UPDRAFT_TOKEN_SECRET and UPDRAFT_TOKEN_KEY_SECRET_ID; set only one.`);
  }
  if (secretId !== undefined) return { kind: 'secrets_manager', secretId };
  if (secret !== undefined) return { kind: 'inline', secret };
  throw new ConfigError(
    `The ${what} configuration needs the task token signing key: set UPDRAFT_TOKEN_KEY_SECRET_ID to the ` +
      'Secrets Manager secret that holds it (or, for development, UPDRAFT_TOKEN_SECRET to the key itself).',
  );
}
