export { SecretsService, type SecretsServiceOptions } from './secrets-service.ts';
export { ConnectionNotFoundError, NoWritableSecretsBackendError, VariableNotFoundError } from './errors.ts';
export {
  CONNECTION_ENV_PREFIX,
  EnvironmentSecretsBackend,
  VARIABLE_ENV_PREFIX,
  connectionEnvName,
  variableEnvName,
} from './environment-backend.ts';
export { MetastoreSecretsBackend } from './metastore-backend.ts';
export { DEFAULT_MIN_SECRET_LENGTH, MASK, SecretMasker, type SecretMaskerOptions } from './secret-masker.ts';
export { DEFAULT_SENSITIVE_NAMES, isSensitiveName } from './sensitive-names.ts';
