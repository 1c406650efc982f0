import { describe, expect, it } from 'vitest';
import { EnvironmentSecretsBackend } from '../../../../src/services/secrets/environment-backend.ts';
import { InvalidConnectionError } from '../../../../src/core/model/connection.ts';

describe('EnvironmentSecretsBackend', () => {
  const backend = new EnvironmentSecretsBackend({
    UPDRAFT_CONN_MY_DB: 'postgresql://user:pass@host:5432/db?sslmode=require',
    UPDRAFT_CONN_MY_API: '{"conn_type": "http", "host": "api.example.com", "extra": {"timeout": 5}}',
    UPDRAFT_CONN_EMPTY: '',
    UPDRAFT_CONN_BROKEN: 'not a uri',
    UPDRAFT_VAR_TARGET_BUCKET: 'my-bucket',
    UPDRAFT_VAR_BLANK: '',
  });

  it('reads UPDRAFT_CONN_<ID upper-cased> in URI or JSON form', async () => {
    expect(await backend.getConnection('my_db')).toMatchObject({ connId: 'my_db', connType: 'postgres', host: 'host', port: 5432 });
    expect(await backend.getConnection('my_api')).toMatchObject({ connId: 'my_api', connType: 'http', extra: { timeout: 5 } });
  });

  it('reads UPDRAFT_VAR_<KEY upper-cased>; an empty variable is a value', async () => {
    expect(await backend.getVariable('target_bucket')).toBe('my-bucket');
    expect(await backend.getVariable('blank')).toBe('');
  });

  it('answers null for what is not set, and for an empty connection', async () => {
    expect(await backend.getConnection('absent')).toBeNull();
    expect(await backend.getConnection('empty')).toBeNull();
    expect(await backend.getVariable('absent')).toBeNull();
  });

  it('rejects a malformed connection with an error naming it', async () => {
    await expect(backend.getConnection('broken')).rejects.toThrow(InvalidConnectionError);
    await expect(backend.getConnection('broken')).rejects.toThrow(/Connection "broken"/);
  });

  it('says where it looked', () => {
    expect(backend.describeLookup('connection', 'my_db')).toBe('environment variable UPDRAFT_CONN_MY_DB');
    expect(backend.describeLookup('variable', 'x.y')).toBe('environment variable UPDRAFT_VAR_X.Y');
  });
});
