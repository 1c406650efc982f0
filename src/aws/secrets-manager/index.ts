export { SecretsManagerBackend, type SecretsManagerBackendOptions } from './secrets-manager-backend.ts';
export { SecretAccessDeniedError, SecretDecryptionError, SecretsManagerError, SecretsThrottledError } from './errors.ts';
export { loadTokenSigningKey, resolveTokenKey } from './token-signing-key.ts';
