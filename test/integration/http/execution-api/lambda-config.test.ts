import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { loadExecutionApiConfig } from '../../../../src/http/execution-api/index.ts';

const valid = {
  UPDRAFT_TABLE_NAME: 'updraft',
  UPDRAFT_BUCKET: 'updraft-bucket',
  UPDRAFT_TOKEN_SECRET: 'a'.repeat(32),
  PATH: '/usr/bin',
};

describe('loadExecutionApiConfig', () => {
  it('reads the UPDRAFT_* variables and ignores the rest of the environment', () => {
    expect(loadExecutionApiConfig({ ...valid, UPDRAFT_TASK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/tasks' })).toEqual({
      tableName: 'updraft',
      bucket: 'updraft-bucket',
      tokenKey: { kind: 'inline', secret: 'a'.repeat(32) },
      secretsManager: { connectionsPrefix: 'updraft/connections', variablesPrefix: 'updraft/variables', cacheTtlSeconds: 300 },
      taskQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/tasks',
      executionApiUrl: null,
      heartbeatIntervalSeconds: undefined,
    });
  });

  it('refuses an unknown UPDRAFT_ variable, naming it', () => {
    expect(() => loadExecutionApiConfig({ ...valid, UPDRAFT_TABEL_NAME: 'typo' })).toThrow(/UPDRAFT_TABEL_NAME/);
  });

  it('refuses a missing table name and a short token secret', () => {
    const { UPDRAFT_TABLE_NAME: _, ...withoutTable } = valid;
    expect(() => loadExecutionApiConfig(withoutTable)).toThrow(ConfigError);
    expect(() => loadExecutionApiConfig(withoutTable)).toThrow(/UPDRAFT_TABLE_NAME/);
    expect(() => loadExecutionApiConfig({ ...valid, UPDRAFT_TOKEN_SECRET: 'short' })).toThrow(/UPDRAFT_TOKEN_SECRET: must be at least 32/);
  });

  it('takes the signing key from a Secrets Manager secret instead, but never from both', () => {
    const { UPDRAFT_TOKEN_SECRET: _, ...withoutKey } = valid;
    expect(loadExecutionApiConfig({ ...withoutKey, UPDRAFT_TOKEN_KEY_SECRET_ID: 'updraft/token-signing-key' }).tokenKey).toEqual({
      kind: 'secrets_manager',
      secretId: 'updraft/token-signing-key',
    });
    expect(() => loadExecutionApiConfig({ ...valid, UPDRAFT_TOKEN_KEY_SECRET_ID: 'updraft/token-signing-key' })).toThrow(/set only one/);
    expect(() => loadExecutionApiConfig(withoutKey)).toThrow(/UPDRAFT_TOKEN_KEY_SECRET_ID/);
  });

  it('reads the Secrets Manager prefixes and cache lifetime', () => {
    expect(
      loadExecutionApiConfig({
        ...valid,
        UPDRAFT_SECRETS_CONNECTIONS_PREFIX: 'airflow/connections',
        UPDRAFT_SECRETS_VARIABLES_PREFIX: 'airflow/variables',
        UPDRAFT_SECRETS_CACHE_TTL_SECONDS: '60',
      }).secretsManager,
    ).toEqual({ connectionsPrefix: 'airflow/connections', variablesPrefix: 'airflow/variables', cacheTtlSeconds: 60 });
  });

  it('parses the heartbeat interval as a positive integer', () => {
    expect(loadExecutionApiConfig({ ...valid, UPDRAFT_HEARTBEAT_INTERVAL_SECONDS: '20' }).heartbeatIntervalSeconds).toBe(20);
    expect(() => loadExecutionApiConfig({ ...valid, UPDRAFT_HEARTBEAT_INTERVAL_SECONDS: '0' })).toThrow(ConfigError);
  });
});
