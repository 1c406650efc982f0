import type { Context } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { httpApiEvent } from '../../../support/http-api-events.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';

/** The Lambda entry, invoked with API Gateway HTTP API (payload 2.0) events as AWS sends them. */


const context = { functionName: 'updraft-execution-api', awsRequestId: 'req-1' } as Context;

function stubConfig(extra: Record<string, string> = {}) {
  for (const key of Object.keys(process.env)) if (key.startsWith('UPDRAFT_')) vi.stubEnv(key, undefined);
  vi.stubEnv('UPDRAFT_TABLE_NAME', 'updraft');
  vi.stubEnv('UPDRAFT_BUCKET', 'updraft-bucket');
  vi.stubEnv('UPDRAFT_TOKEN_SECRET', 'lambda-entry-test-secret-0123456789abcdef');
  for (const [key, value] of Object.entries(extra)) vi.stubEnv(key, value);
}

// Secrets Manager has no local emulator: its answers are mocked, shaped as the service sends them.
const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  secretsManager.reset();
});

describe('functions/execution-api', () => {
  it('answers health and refuses an unauthenticated start, through API Gateway events', async () => {
    stubConfig();
    const { handler } = await import('../../../../functions/execution-api.ts');
    const health = await handler(httpApiEvent('GET', '/execution/health'), context);
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });

    const start = await handler(
      httpApiEvent('PATCH', '/execution/task-instances/abc/run', { 'content-type': 'application/json' }, '{}'),
      context,
    );
    expect(start.statusCode).toBe(401);
    expect(JSON.parse(start.body)).toMatchObject({ detail: { reason: 'invalid_token' } });
  });

  it('reads its token signing key from Secrets Manager, and tells a valid token from a forged one', async () => {
    stubConfig({ UPDRAFT_TOKEN_KEY_SECRET_ID: 'updraft/token-signing-key', AWS_REGION: 'eu-west-1' });
    vi.stubEnv('UPDRAFT_TOKEN_SECRET', undefined);
    const key = 'secrets-manager-held-key-0123456789abcdef';
    secretsManager.on(GetSecretValueCommand, { SecretId: 'updraft/token-signing-key' }).resolves({
      Name: 'updraft/token-signing-key',
      SecretString: key,
      VersionStages: ['AWSCURRENT'],
    });
    const { handler } = await import('../../../../functions/execution-api.ts');
    const attempt = { dagId: 'etl', runId: 'manual__2026-03-01T10:00:00+00:00', taskId: 'extract', mapIndex: -1, tryNumber: 1 };
    const path = `/execution/xcoms/${encodeTaskInstanceId(attempt)}/return_value`;
    const tokenWith = (secret: string) => new TaskTokens(secret, systemClock).issue(attempt, 600);

    const forged = await handler(httpApiEvent('GET', path, { authorization: `Bearer ${tokenWith('x'.repeat(40))}` }), context);
    expect(forged.statusCode).toBe(401);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    // A valid token passes authentication; with no DynamoDB behind this test the read itself then fails.
    const genuine = await handler(httpApiEvent('GET', path, { authorization: `Bearer ${tokenWith(key)}` }), context);
    expect(genuine.statusCode).toBe(500);
    expect(JSON.parse(genuine.body)).toMatchObject({ detail: { reason: 'internal_error' } });
  });

  it('refuses to start with an unknown UPDRAFT_ variable', async () => {
    stubConfig({ UPDRAFT_TOKEN_SECERT: 'typo' });
    // Modules were reset, so the error class is a fresh copy: compare by name.
    await expect(import('../../../../functions/execution-api.ts')).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('UPDRAFT_TOKEN_SECERT'),
    });
  });
});
