import type { Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { httpApiEvent as apiGatewayEvent } from '../../../support/http-api-events.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbUserStore } from '../../../../src/aws/dynamodb/user-store.ts';
import { hashPassword } from '../../../../src/services/auth/passwords.ts';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import packageJson from '../../../../package.json' with { type: 'json' };
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

/** The Lambda entry, invoked with API Gateway HTTP API (payload 2.0) events, over DynamoDB Local. */

/** The REST API's events ask for JSON, as API clients do. */
function httpApiEvent(method: string, path: string): LambdaEvent {
  return apiGatewayEvent(method, path, { accept: 'application/json' });
}

const context = { functionName: 'updraft-rest-api', awsRequestId: 'req-1' } as Context;
const tableName = uniqueName('rest-lambda');
let dynamo: ReturnType<typeof createDynamoDbClient>;

beforeAll(async () => {
  dynamo = createDynamoDbClient(emulatorClientOptions());
  await createMetastoreTable(dynamo, tableName);
  await new DynamoDbMetastore({ client: dynamo, tableName }).recordSchedulerHeartbeat('scheduler-1', new Date());
});

afterAll(() => dynamo?.destroy());

/** The function's environment as the stack sets it, with the SDK pointed at DynamoDB Local. */
function stubEnvironment(extra: Record<string, string> = {}) {
  for (const key of Object.keys(process.env)) if (key.startsWith('UPDRAFT_')) vi.stubEnv(key, undefined);
  const options = emulatorClientOptions();
  vi.stubEnv('UPDRAFT_TABLE_NAME', tableName);
  vi.stubEnv('UPDRAFT_BUCKET', 'updraft-bucket');
  vi.stubEnv('UPDRAFT_API_JWT_SECRET_ID', JWT_SECRET_ARN);
  vi.stubEnv('AWS_REGION', options.region ?? 'eu-west-1');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', options.dynamodbEndpoint ?? '');
  vi.stubEnv('AWS_ACCESS_KEY_ID', options.credentials?.accessKeyId ?? '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', options.credentials?.secretAccessKey ?? '');
  for (const [key, value] of Object.entries(extra)) vi.stubEnv(key, value);
}

// Secrets Manager has no local emulator: its answer is mocked, shaped as the service sends it.
const JWT_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:updraft-dev-rest-api-jwt-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);
beforeEach(() => {
  secretsManager.on(GetSecretValueCommand, { SecretId: JWT_SECRET_ARN }).resolves({
    ARN: JWT_SECRET_ARN,
    Name: 'updraft-dev-rest-api-jwt',
    SecretString: 'a-generated-secret-of-sixty-four-characters-0123456789abcdefghij',
    VersionId: 'v1',
    VersionStages: ['AWSCURRENT'],
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  secretsManager.reset();
});

describe('functions/rest-api', () => {
  it('answers health from the metastore and the package version, through API Gateway events', async () => {
    stubEnvironment();
    const { handler } = await import('../../../../functions/rest-api.ts');

    const health = await handler(httpApiEvent('GET', '/api/v2/monitor/health'), context);
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      metadatabase: { status: 'healthy' },
      scheduler: { status: 'healthy', latest_scheduler_heartbeat: expect.any(String) },
    });

    const version = await handler(httpApiEvent('GET', '/api/v2/version'), context);
    expect(version.statusCode).toBe(200);
    expect(JSON.parse(version.body)).toEqual({ version: packageJson.version, git_version: null });

    const unknown = await handler(httpApiEvent('GET', '/api/v1/health'), context);
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ detail: expect.stringContaining('GET /api/v1/health') });
  });

  it('issues a token for a stored user and serves authenticated endpoints with it', async () => {
    stubEnvironment();
    await new DynamoDbUserStore(dynamo, tableName).createUser({
      username: 'ops',
      role: 'op',
      passwordHash: await hashPassword('s3cret-pass'),
      dagIds: null,
      dagTags: null,
      createdAt: new Date(),
    });
    const { handler } = await import('../../../../functions/rest-api.ts');
    const denied = await handler(httpApiEvent('GET', '/api/v2/dags'), context);
    expect(denied.statusCode).toBe(401);

    const login = await handler({ ...httpApiEvent('POST', '/auth/token'), body: JSON.stringify({ username: 'ops', password: 's3cret-pass' }) } as LambdaEvent, context);
    expect(login.statusCode).toBe(201);
    const { access_token: token } = JSON.parse(login.body) as { access_token: string };
    const event = httpApiEvent('GET', '/api/v2/dags');
    const dags = await handler({ ...event, headers: { ...event.headers, authorization: `Bearer ${token}` } } as LambdaEvent, context);
    expect(dags.statusCode).toBe(200);
    expect(JSON.parse(dags.body)).toEqual({ dags: [], total_entries: 0 });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses to start with an unknown UPDRAFT_ variable', async () => {
    stubEnvironment({ UPDRAFT_TABEL_NAME: 'typo' });
    // Modules were reset, so the error class is a fresh copy: compare by name.
    await expect(import('../../../../functions/rest-api.ts')).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('UPDRAFT_TABEL_NAME'),
    });
  });
});
