import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { loadRestApiConfig, restApiEnvironmentSchema } from '../../../../src/http/rest-api/index.ts';

describe('loadRestApiConfig', () => {
  it('reads the table name and ignores the rest of the environment, layered configuration included', () => {
    expect(
      loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', PATH: '/usr/bin', AWS_REGION: 'eu-west-1', UPDRAFT__CORE__EXECUTOR: 'lambda' }),
    ).toEqual({ tableName: 'updraft' });
  });

  it('refuses an unknown UPDRAFT_ variable, naming it and the known ones', () => {
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', UPDRAFT_BUCKET: 'b' })).toThrow(ConfigError);
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: 'updraft', UPDRAFT_BUCKET: 'b' })).toThrow(
      /unknown variable UPDRAFT_BUCKET .*Known variables: UPDRAFT_TABLE_NAME/,
    );
  });

  it('refuses a missing or empty table name', () => {
    expect(() => loadRestApiConfig({})).toThrow(/The REST API configuration is not valid: UPDRAFT_TABLE_NAME/);
    expect(() => loadRestApiConfig({ UPDRAFT_TABLE_NAME: '' })).toThrow(/UPDRAFT_TABLE_NAME/);
  });

  it('exposes a strict schema, which the deployment checks the stack environment against', () => {
    expect(restApiEnvironmentSchema.safeParse({ UPDRAFT_TABLE_NAME: 't' }).success).toBe(true);
    expect(restApiEnvironmentSchema.safeParse({ UPDRAFT_TABLE_NAME: 't', OTHER: 'x' }).success).toBe(false);
  });
});
