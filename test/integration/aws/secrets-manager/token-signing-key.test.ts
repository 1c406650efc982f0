import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTokenSigningKey, resolveTokenKey, SecretsManagerBackend } from '../../../../src/aws/secrets-manager/index.ts';
import { ConfigError } from '../../../../src/core/errors.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';

// Secrets Manager has no local emulator: its responses are mocked, shaped as the service sends them.
const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

const backend = () =>
  new SecretsManagerBackend({ client: new SecretsManagerClient({ region: 'eu-west-1' }), clock: new ManualClock('2026-01-01T00:00:00Z') });
const KEY = 'k'.repeat(48);

describe('the task token signing key', () => {
  it('is read from the secret the configuration names', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'updraft/token-signing-key' }).resolves({
      ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:updraft/token-signing-key-AbCdEf',
      Name: 'updraft/token-signing-key',
      SecretString: KEY,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
    });
    expect(await loadTokenSigningKey(backend(), 'updraft/token-signing-key')).toBe(KEY);
    expect(await resolveTokenKey({ kind: 'secrets_manager', secretId: 'updraft/token-signing-key' }, backend)).toBe(KEY);
  });

  it('is taken as given when configured inline, without a call', async () => {
    expect(await resolveTokenKey({ kind: 'inline', secret: KEY }, () => Promise.reject(new Error('not called')) as never)).toBe(KEY);
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('fails with the secret name when the secret does not exist', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } }),
    );
    const failure = loadTokenSigningKey(backend(), 'updraft/missing-key');
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/updraft\/missing-key.*does not exist/);
  });

  it('refuses a key too short to sign with', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ Name: 'updraft/token-signing-key', SecretString: 'short' });
    await expect(loadTokenSigningKey(backend(), 'updraft/token-signing-key')).rejects.toThrow(/at least 32/);
  });
});
