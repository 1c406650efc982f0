import { UpdraftError } from '../../core/errors.ts';

/** Secrets Manager could not decrypt the secret with its KMS key. */
export class SecretDecryptionError extends UpdraftError {
  constructor(secretId: string, options?: { cause?: unknown }) {
    super(
      'secret_decryption_failed',
      `AWS Secrets Manager could not decrypt secret "${secretId}" with its KMS key. Give this role ` +
        'kms:Decrypt on the key that encrypts the secret (and check the key is enabled and its key policy allows it).',
      options,
    );
  }
}

export class SecretAccessDeniedError extends UpdraftError {
  constructor(secretId: string, options?: { cause?: unknown }) {
    super(
      'secret_access_denied',
      `Access to AWS Secrets Manager secret "${secretId}" was denied. Give this role ` +
        'secretsmanager:GetSecretValue on the secret (and kms:Decrypt if it uses a customer managed key).',
      options,
    );
  }
}

export class SecretsThrottledError extends UpdraftError {
  constructor(secretId: string, attempts: number, options?: { cause?: unknown }) {
    super(
      'secrets_throttled',
      `AWS Secrets Manager kept throttling reads of secret "${secretId}" (${attempts} attempts). ` +
        'Raise the cache TTL so fewer reads are made, or retry the task later.',
      options,
    );
  }
}

/** Any other failure of Secrets Manager, with the secret named so the user knows what was being read. */
export class SecretsManagerError extends UpdraftError {
  constructor(secretId: string, reason: string, options?: { cause?: unknown }) {
    super('secrets_manager_error', `Reading AWS Secrets Manager secret "${secretId}" failed: ${reason}.`, options);
  }
}
