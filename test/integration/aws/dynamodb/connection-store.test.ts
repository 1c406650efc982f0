import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { parseConnectionUri, type Connection } from '../../../../src/core/model/connection.ts';
import { MetastoreSecretsBackend } from '../../../../src/services/secrets/metastore-backend.ts';
import { SecretsService } from '../../../../src/services/secrets/secrets-service.ts';
import { EnvironmentSecretsBackend } from '../../../../src/services/secrets/environment-backend.ts';
import { ConnectionNotFoundError } from '../../../../src/services/secrets/errors.ts';
import { createTestMetastore, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('connection-store'));
});

const connection = (connId: string, overrides: Partial<Connection> = {}): Connection => ({
  connId,
  connType: 'postgres',
  host: 'db.internal',
  login: 'etl',
  password: 's3cr3t',
  schema: 'sales',
  port: 5432,
  extra: { sslmode: 'require', options: { keepalives: 1, tags: ['a', null] } },
  ...overrides,
});

describe('DynamoDbMetastore connections', () => {
  it('round-trips every field, nulls and an empty extra included', async () => {
    const samples = [
      connection('full'),
      connection('bare', { host: null, login: null, password: null, schema: null, port: null, extra: {} }),
      connection('port_zero', { port: 0 }),
      parseConnectionUri('from_uri', 'http://https://api.example.com/?__extra__=%7B%22timeout%22%3A%205%7D'),
    ];
    for (const sample of samples) await store.putConnection(sample);
    for (const sample of samples) expect(await store.getConnection(sample.connId)).toEqual(sample);
    expect(await store.getConnection('absent')).toBeNull();
  });

  it('replaces a connection and deletes it', async () => {
    await store.putConnection(connection('replaced'));
    await store.putConnection(connection('replaced', { host: 'new-host', password: null }));
    expect(await store.getConnection('replaced')).toEqual(connection('replaced', { host: 'new-host', password: null }));
    expect(await store.deleteConnection('replaced')).toBe(true);
    expect(await store.getConnection('replaced')).toBeNull();
    expect(await store.deleteConnection('replaced')).toBe(false);
  });

  it('lists connections ordered by id, and only connections', async () => {
    const list = await createTestMetastore('connection-list');
    await list.metastore.putConnection(connection('warehouse'));
    await list.metastore.putConnection(connection('api', { connType: 'http' }));
    await list.metastore.putVariable({ key: 'not_a_connection', value: 'v', description: null });
    expect((await list.metastore.listConnections()).map((c) => [c.connId, c.connType])).toEqual([
      ['api', 'http'],
      ['warehouse', 'postgres'],
    ]);
  });

  it('rejects a blank id, a missing type and a port out of range', async () => {
    await expect(store.putConnection(connection(''))).rejects.toThrow(ValidationError);
    await expect(store.putConnection(connection('x', { connType: '' }))).rejects.toThrow(/needs a connection type/);
    await expect(store.putConnection(connection('x', { port: 70000 }))).rejects.toThrow(/port 70000/);
  });

  it('is the last backend the service searches, after the environment', async () => {
    await store.putConnection(connection('shared', { host: 'from-metastore' }));
    const service = new SecretsService([
      new EnvironmentSecretsBackend({ UPDRAFT_CONN_SHADOWED: 'postgres://from-env' }),
      new MetastoreSecretsBackend(store),
    ]);
    await store.putConnection(connection('shadowed', { host: 'from-metastore' }));
    expect((await service.getConnection('shared')).host).toBe('from-metastore');
    expect((await service.getConnection('shadowed')).host).toBe('from-env');
    const error = await service.getConnection('missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionNotFoundError);
    expect((error as Error).message).toContain('environment variable UPDRAFT_CONN_MISSING; metastore connection "missing"');
  });
});
