import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../../src/core/model/connection.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import type { SecretsBackend, WritableSecretsBackend } from '../../../../src/core/ports/secrets.ts';
import { UpdraftError } from '../../../../src/core/errors.ts';
import { EnvironmentSecretsBackend } from '../../../../src/services/secrets/environment-backend.ts';
import { ConnectionNotFoundError, NoWritableSecretsBackendError, VariableNotFoundError } from '../../../../src/services/secrets/errors.ts';
import { SecretsService } from '../../../../src/services/secrets/secrets-service.ts';

const connection = (connId: string, host: string): Connection => ({
  connId,
  connType: 'postgres',
  host,
  login: null,
  password: null,
  schema: null,
  port: null,
  extra: {},
});

/** A backend over plain maps: the service's search logic is what is under test here. */
class MapBackend implements WritableSecretsBackend {
  readonly calls: string[] = [];
  constructor(
    readonly name: string,
    readonly connections = new Map<string, Connection>(),
    readonly variables = new Map<string, string>(),
  ) {}
  async getConnection(connId: string) {
    this.calls.push(`conn:${connId}`);
    return this.connections.get(connId) ?? null;
  }
  async getVariable(key: string) {
    this.calls.push(`var:${key}`);
    return this.variables.get(key) ?? null;
  }
  async setVariable(key: string, value: string) {
    this.variables.set(key, value);
  }
}

const failing = (error: Error): SecretsBackend => ({
  name: 'AWS Secrets Manager',
  getConnection: () => Promise.reject(error),
  getVariable: () => Promise.reject(error),
});

const recordingLogger = () => {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  return { logger, warnings };
};

describe('SecretsService', () => {
  it('returns the first backend that has the value and does not ask the later ones', async () => {
    const env = new EnvironmentSecretsBackend({ UPDRAFT_CONN_DB: 'postgres://env-host', UPDRAFT_VAR_K: 'from-env' });
    const metastore = new MapBackend('metastore', new Map([['db', connection('db', 'meta-host')]]), new Map([['k', 'meta']]));
    const service = new SecretsService([env, metastore]);
    expect((await service.getConnection('db')).host).toBe('env-host');
    expect(await service.getVariable('k')).toBe('from-env');
    expect(metastore.calls).toEqual([]);
  });

  it('falls through to later backends', async () => {
    const env = new EnvironmentSecretsBackend({});
    const metastore = new MapBackend('metastore', new Map([['db', connection('db', 'meta-host')]]), new Map([['k', '']]));
    const service = new SecretsService([env, metastore]);
    expect((await service.getConnection('db')).host).toBe('meta-host');
    expect(await service.getVariable('k')).toBe('');
  });

  it('names the id and every place searched when a connection or variable is missing', async () => {
    const service = new SecretsService([new EnvironmentSecretsBackend({}), new MapBackend('metastore')]);
    const error = await service.getConnection('my_db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionNotFoundError);
    expect((error as UpdraftError).code).toBe('connection_not_found');
    expect((error as Error).message).toMatch(/Connection "my_db" was not found\. Searched, in order: environment variable UPDRAFT_CONN_MY_DB; metastore\./);

    const variableError = await service.getVariable('bucket').catch((e: unknown) => e);
    expect(variableError).toBeInstanceOf(VariableNotFoundError);
    expect((variableError as UpdraftError).code).toBe('variable_not_found');
    expect((variableError as Error).message).toContain('environment variable UPDRAFT_VAR_BUCKET; metastore');
  });

  it('goes past a failing backend, and reports its failure when no later backend has the value', async () => {
    const { logger, warnings } = recordingLogger();
    const denied = new UpdraftError('secret_access_denied', 'Access denied to updraft/connections/db');
    const metastore = new MapBackend('metastore', new Map([['db', connection('db', 'meta-host')]]));
    const service = new SecretsService([failing(denied), metastore], { logger });
    expect((await service.getConnection('db')).host).toBe('meta-host');
    expect(warnings).toEqual(['Could not read connection "db" from AWS Secrets Manager; trying the next secrets backend.']);
    await expect(service.getConnection('other')).rejects.toBe(denied);
  });

  it('writes variables to the metastore only, warning when an earlier backend shadows the key', async () => {
    const { logger, warnings } = recordingLogger();
    const env = new EnvironmentSecretsBackend({ UPDRAFT_VAR_SHADOWED: 'env' });
    const metastore = new MapBackend('metastore');
    const service = new SecretsService([env, metastore], { logger });
    await service.setVariable('fresh', 'v1');
    expect(metastore.variables.get('fresh')).toBe('v1');
    expect(warnings).toEqual([]);
    await service.setVariable('shadowed', 'meta');
    expect(metastore.variables.get('shadowed')).toBe('meta');
    expect(await service.getVariable('shadowed')).toBe('env');
    expect(warnings[0]).toMatch(/Variable "shadowed" is also defined in environment variables/);
  });

  it('refuses to set a variable when no backend can store it', async () => {
    const service = new SecretsService([new EnvironmentSecretsBackend({})]);
    await expect(service.setVariable('k', 'v')).rejects.toThrow(NoWritableSecretsBackendError);
  });
});
