import { ConfigError } from '../../core/errors.ts';
import type { TokenKeySource } from '../../core/token-key-source.ts';
import type { SecretsManagerBackend } from './secrets-manager-backend.ts';

/** HS256 wants a key of at least 256 bits; a shorter secret is refused rather than silently used. */
const MIN_KEY_LENGTH = 32;

/**
 * The key that signs task tokens, held by Secrets Manager so that it never sits in a function's
 * environment. The stack generates it (issue #5); the Execution API and the scheduler read it at cold
 * start, with the backend's retries.
 */
export async function loadTokenSigningKey(backend: Pick<SecretsManagerBackend, 'getSecretString'>, secretId: string): Promise<string> {
  const key = await backend.getSecretString(secretId);
  if (key === null) {
    throw new ConfigError(
      `The task token signing key secret "${secretId}" does not exist. Check UPDRAFT_TOKEN_KEY_SECRET_ID, or ` +
        'create the secret (the stack generates it).',
    );
  }
  if (key.length < MIN_KEY_LENGTH) {
    throw new ConfigError(
      `The task token signing key in "${secretId}" is ${key.length} characters; it must be at least ${MIN_KEY_LENGTH}. ` +
        'Generate a longer random value.',
    );
  }
  return key;
}

export async function resolveTokenKey(source: TokenKeySource, backend: () => Pick<SecretsManagerBackend, 'getSecretString'>): Promise<string> {
  return source.kind === 'inline' ? source.secret : loadTokenSigningKey(backend(), source.secretId);
}
