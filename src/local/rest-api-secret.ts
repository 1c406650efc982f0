import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in the state folder that holds local mode's REST API token secret. */
export const REST_API_SECRET_FILE = 'rest-api-jwt-secret';

/**
 * The secret that signs local mode's REST API tokens, kept in the state folder (like the task token key)
 * so tokens outlive a restart and `updraft standalone` and the CLI agree on it. `[api_auth] jwt_secret`
 * wins when it is set: callers pass this as the fallback. Whoever can read the state folder can mint
 * tokens, exactly as they can read and change the state itself.
 */
export function loadRestApiJwtSecret(home: string): string {
  const path = join(home, REST_API_SECRET_FILE);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(home, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
