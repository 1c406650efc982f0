import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { loadRestApiConfig, restApiEnvironmentSchema } from '../../../../src/http/rest-api/index.ts';

describe('loadRestApiConfig', () => {
  it('reads the table, the bucket and the token secret, and ignores the rest of the environment', () => {
    expect(
      loadRestApiConfig({
        UPDRAFT_TABLE_NAME: 'updraft',
        UPDRAFT_BUCKET: 'bucket',
        UPDRAFT_API_JWT_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:jwt',
        PATH: '/usr/bin',
        UPDRAFT__CORE__EXECUTOR: 'lambda',
      }),
    ).toEqual({ tableName: 'updraft', bucket: 'bucket', jwtSecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:jwt' });
    expect(loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', UPDRAFT_BUCKET: 'bucket' }).jwtSecretId).toBeNull();
  });

  it('refuses an unknown UPDRAFT_ variable, naming it and the known ones', () => {
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', UPDRAFT_BUCKET: 'b', UPDRAFT_QUEUE: 'q' })).toThrow(ConfigError);
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', UPDRAFT_BUCKET: 'b', UPDRAFT_QUEUE: 'q' })).toThrow(
      /unknown variable UPDRAFT_QUEUE .*Known variables: UPDRAFT_TABLE_NAME, UPDRAFT_BUCKET/,
    );
  });

  it('refuses a missing or empty table name or bucket', () => {
    expect(() => loadRestApiConfig({ UPDRAFT_BUCKET: 'b' })).toThrow(/The REST API configuration is not valid: UPDRAFT_TABLE_NAME/);
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: '', UPDRAFT_BUCKET: 'b' })).toThrow(/UPDRAFT_TABLE_NAME/);
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: 't' })).toThrow(/UPDRAFT_BUCKET/);
  });

  it('exposes a strict schema, which the deployment checks the stack environment against', () => {
    expect(restApiEnvironmentSchema.safeParse({ UPDRAFT_TABLE_NAME: 't', UPDRAFT_BUCKET: 'b' }).success).toBe(true);
    expect(restApiEnvironmentSchema.safeParse({ UPDRAFT_TABLE_NAME: 't', UPDRAFT_BUCKET: 'b', OTHER: 'x' }).success).toBe(false);
  });
});
