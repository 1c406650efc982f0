import {
  DecryptionFailure,
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { SecretsManagerBackend, type SecretsManagerBackendOptions } from '../../../../src/aws/secrets-manager/secrets-manager-backend.ts';
import { SecretAccessDeniedError, SecretDecryptionError, SecretsManagerError, SecretsThrottledError } from '../../../../src/aws/secrets-manager/errors.ts';
import { EnvironmentSecretsBackend } from '../../../../src/services/secrets/environment-backend.ts';
import { SecretsService } from '../../../../src/services/secrets/secrets-service.ts';
import { ConnectionNotFoundError } from '../../../../src/services/secrets/errors.ts';

// Secrets Manager has no local emulator: responses are shaped as the service's own (GetSecretValue output
// and its modelled exceptions; throttling and access denial arrive as generic AWS errors by name).
const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const sm = mockClient(client);
const metadata = { httpStatusCode: 400, requestId: 'req-1' };

const secretValue = (name: string, value: { SecretString?: string; SecretBinary?: Uint8Array }) => ({
  ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`,
  Name: name,
  VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
  VersionStages: ['AWSCURRENT'],
  CreatedDate: new Date('2024-05-01T10:00:00Z'),
  ...value,
  $metadata: { httpStatusCode: 200 },
});
const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: metadata });
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: metadata });

let clock: ManualClock;
let sleeps: number[];
const backend = (options: Partial<SecretsManagerBackendOptions> = {}) =>
  new SecretsManagerBackend({
    client,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...options,
  });
const requestedIds = () => sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);

beforeEach(() => {
  sm.reset();
  clock = new ManualClock('2024-05-01T10:00:00Z');
  sleeps = [];
});

describe('SecretsManagerBackend', () => {
  it('reads a connection from updraft/connections/<id> in URI form and a variable from updraft/variables/<key>', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'updraft/connections/my_db' }).resolves(
      secretValue('updraft/connections/my_db', { SecretString: 'postgresql://user:p%40ss@db.internal:5432/sales?sslmode=require' }),
    );
    sm.on(GetSecretValueCommand, { SecretId: 'updraft/variables/bucket' }).resolves(
      secretValue('updraft/variables/bucket', { SecretString: 'my-data-bucket' }),
    );
    const sut = backend();
    expect(await sut.getConnection('my_db')).toEqual({
      connId: 'my_db',
      connType: 'postgres',
      host: 'db.internal',
      login: 'user',
      password: 'p@ss',
      schema: 'sales',
      port: 5432,
      extra: { sslmode: 'require' },
    });
    expect(await sut.getVariable('bucket')).toBe('my-data-bucket');
  });

  it('reads JSON connections and SecretBinary values', async () => {
    const json = JSON.stringify({ conn_type: 'http', host: 'api.example.com', password: 'tok', extra: { timeout: 5 } });
    sm.on(GetSecretValueCommand, { SecretId: 'updraft/connections/api' }).resolves(
      secretValue('updraft/connections/api', { SecretBinary: new TextEncoder().encode(json) }),
    );
    sm.on(GetSecretValueCommand, { SecretId: 'updraft/variables/blob' }).resolves(
      secretValue('updraft/variables/blob', { SecretBinary: new TextEncoder().encode('ünïcødé value') }),
    );
    const sut = backend();
    expect(await sut.getConnection('api')).toMatchObject({ connType: 'http', host: 'api.example.com', password: 'tok', extra: { timeout: 5 } });
    expect(await sut.getVariable('blob')).toBe('ünïcødé value');
  });

  it('uses configured prefixes, and a null prefix turns lookups of that kind off', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const sut = backend({ connectionsPrefix: 'team-a/conns/', variablesPrefix: null });
    expect(await sut.getConnection('x')).toBeNull();
    expect(await sut.getVariable('y')).toBeNull();
    expect(requestedIds()).toEqual(['team-a/conns/x']);
    expect(sut.describeLookup('connection', 'x')).toBe('AWS Secrets Manager secret team-a/conns/x');
  });

  it('caches values for the TTL, then asks again', async () => {
    sm.on(GetSecretValueCommand).resolves(secretValue('updraft/variables/k', { SecretString: 'v1' }));
    const sut = backend({ cacheTtlSeconds: 300 });
    expect(await Promise.all([sut.getVariable('k'), sut.getVariable('k')])).toEqual(['v1', 'v1']);
    clock.advanceSeconds(299);
    expect(await sut.getVariable('k')).toBe('v1');
    expect(requestedIds()).toEqual(['updraft/variables/k']);

    sm.on(GetSecretValueCommand).resolves(secretValue('updraft/variables/k', { SecretString: 'v2' }));
    clock.advanceSeconds(2);
    expect(await sut.getVariable('k')).toBe('v2');
    expect(requestedIds()).toHaveLength(2);
  });

  it('remembers a missing secret briefly, so a missing secret does not cost a call per task', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const sut = backend({ cacheTtlSeconds: 300, notFoundCacheTtlSeconds: 30 });
    expect(await sut.getConnection('absent')).toBeNull();
    clock.advanceSeconds(29);
    expect(await sut.getConnection('absent')).toBeNull();
    expect(requestedIds()).toHaveLength(1);
    clock.advanceSeconds(2);
    expect(await sut.getConnection('absent')).toBeNull();
    expect(requestedIds()).toHaveLength(2);
  });

  it('asks every time when the cache is off', async () => {
    sm.on(GetSecretValueCommand).resolves(secretValue('updraft/variables/k', { SecretString: 'v' }));
    const sut = backend({ cacheTtlSeconds: 0 });
    await sut.getVariable('k');
    await sut.getVariable('k');
    expect(requestedIds()).toHaveLength(2);
  });

  it('retries ThrottlingException with growing delays and returns the value once it passes', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves(secretValue('updraft/variables/k', { SecretString: 'v' }));
    expect(await backend({ baseDelayMs: 100 }).getVariable('k')).toBe('v');
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up on throttling after the last attempt with a clear error, and does not cache the failure', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const sut = backend({ maxAttempts: 3 });
    const error = await sut.getVariable('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsThrottledError);
    expect((error as SecretsThrottledError).code).toBe('secrets_throttled');
    expect((error as Error).message).toContain('"updraft/variables/k" (3 attempts)');
    expect(requestedIds()).toHaveLength(3);

    sm.on(GetSecretValueCommand).resolves(secretValue('updraft/variables/k', { SecretString: 'v' }));
    expect(await sut.getVariable('k')).toBe('v');
  });

  it('reports DecryptionFailure naming the secret and KMS, without retrying', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new DecryptionFailure({ message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", $metadata: metadata }),
    );
    const error = await backend().getConnection('my_db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretDecryptionError);
    expect((error as SecretDecryptionError).code).toBe('secret_decryption_failed');
    expect((error as Error).message).toMatch(/could not decrypt secret "updraft\/connections\/my_db" with its KMS key.*kms:Decrypt/);
    expect(requestedIds()).toHaveLength(1);
  });

  it('reports AccessDeniedException naming the secret and the permission to grant', async () => {
    sm.on(GetSecretValueCommand).rejects(
      awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/worker is not authorized to perform: secretsmanager:GetSecretValue'),
    );
    const error = await backend().getVariable('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretAccessDeniedError);
    expect((error as Error).message).toMatch(/"updraft\/variables\/k" was denied.*secretsmanager:GetSecretValue/);
  });

  it('reports other service errors with the secret named', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new InvalidRequestException({ message: 'You tried to perform the operation on a secret that is currently marked deleted.', $metadata: metadata }),
    );
    await expect(backend().getVariable('k')).rejects.toThrow(SecretsManagerError);
    await expect(backend().getVariable('k')).rejects.toThrow(/secret "updraft\/variables\/k" failed: InvalidRequestException/);
  });

  it('sits between the environment and the metastore in the service, which names it when nothing is found', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const service = new SecretsService([new EnvironmentSecretsBackend({}), backend()]);
    const error = await service.getConnection('warehouse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionNotFoundError);
    expect((error as Error).message).toContain(
      'Searched, in order: environment variable UPDRAFT_CONN_WAREHOUSE; AWS Secrets Manager secret updraft/connections/warehouse.',
    );
  });
});
