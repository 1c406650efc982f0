import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { loadLocalConfig } from '../../../src/local/local-config.ts';

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadLocalConfig to throw a ConfigError');
}

describe('loadLocalConfig', () => {
  it('uses the defaults when nothing is set, with folders resolved against the working directory', () => {
    expect(loadLocalConfig({}, {})).toEqual({
      dagsFolder: resolve('dags'),
      home: resolve('.updraft'),
      workers: 2,
      executionApiPort: 0,
      restApiPort: 0,
      tickIntervalMs: 1000,
      logLevel: 'info',
    });
  });

  it('reads every UPDRAFT_* variable and coerces numbers', () => {
    const config = loadLocalConfig(
      {},
      {
        UPDRAFT_DAGS_FOLDER: '/srv/dags',
        UPDRAFT_HOME: 'state',
        UPDRAFT_WORKERS: '4',
        UPDRAFT_EXECUTION_API_PORT: '8081',
        UPDRAFT_REST_API_PORT: '8080',
        UPDRAFT_TICK_INTERVAL_MS: '250',
        UPDRAFT_LOG_LEVEL: 'debug',
      },
    );
    expect(config).toEqual({
      dagsFolder: '/srv/dags',
      home: resolve('state'),
      workers: 4,
      executionApiPort: 8081,
      restApiPort: 8080,
      tickIntervalMs: 250,
      logLevel: 'debug',
    });
  });

  it('lets flags win over environment variables, and environment variables over defaults', () => {
    const config = loadLocalConfig(
      { dagsFolder: '/from/flag', workers: '3' },
      { UPDRAFT_DAGS_FOLDER: '/from/env', UPDRAFT_WORKERS: '7', UPDRAFT_TICK_INTERVAL_MS: '500' },
    );
    expect(config.dagsFolder).toBe('/from/flag');
    expect(config.workers).toBe(3);
    expect(config.tickIntervalMs).toBe(500);
    expect(config.logLevel).toBe('info');
  });

  it('treats an empty value as not given', () => {
    expect(loadLocalConfig({ dagsFolder: undefined }, { UPDRAFT_WORKERS: '' }).workers).toBe(2);
    expect(loadLocalConfig({ dagsFolder: '' }, { UPDRAFT_DAGS_FOLDER: '/from/env' }).dagsFolder).toBe('/from/env');
  });

  it('ignores variables that are not Updraft\'s, and lets connections and variables for tasks through', () => {
    const config = loadLocalConfig({}, { PATH: '/usr/bin', UPDRAFT_CONN_WAREHOUSE: 'postgres://x', UPDRAFT_VAR_REGION: 'eu', UPDRAFT_API_URL: 'http://x', UPDRAFT_BUCKET: 'updraft-dev-storage' });
    expect(config.workers).toBe(2);
  });

  it('rejects an unknown UPDRAFT_* variable, naming it and the variables it reads', () => {
    const error = configError(() => loadLocalConfig({}, { UPDRAFT_WORKER: '3' }));
    expect(error.message).toContain('UPDRAFT_WORKER.');
    expect(error.message).toContain('UPDRAFT_WORKERS');
    expect(error.message).toContain('UPDRAFT_DAGS_FOLDER');
  });

  it('names every unknown variable at once', () => {
    const error = configError(() => loadLocalConfig({}, { UPDRAFT_DAG_FOLDER: 'x', UPDRAFT_HOMEDIR: 'y' }));
    expect(error.message).toMatch(/Unknown environment variables UPDRAFT_DAG_FOLDER, UPDRAFT_HOMEDIR\./);
  });

  it.each([
    ['workers', { UPDRAFT_WORKERS: 'many' }, 'UPDRAFT_WORKERS'],
    ['workers', { UPDRAFT_WORKERS: '0' }, 'UPDRAFT_WORKERS'],
    ['workers', { UPDRAFT_WORKERS: '1.5' }, 'UPDRAFT_WORKERS'],
    ['executionApiPort', { UPDRAFT_EXECUTION_API_PORT: '70000' }, 'UPDRAFT_EXECUTION_API_PORT'],
    ['tickIntervalMs', { UPDRAFT_TICK_INTERVAL_MS: '10' }, 'UPDRAFT_TICK_INTERVAL_MS'],
    ['logLevel', { UPDRAFT_LOG_LEVEL: 'trace' }, 'UPDRAFT_LOG_LEVEL'],
  ])('rejects an invalid %s, naming the setting and its variable (%j)', (field, env, envKey) => {
    const error = configError(() => loadLocalConfig({}, env));
    expect(error.message).toContain(`Invalid value for ${field}`);
    expect(error.message).toContain(envKey);
  });

  it('rejects an invalid flag value the same way', () => {
    const error = configError(() => loadLocalConfig({ workers: 'abc' }, {}));
    expect(error.message).toContain('Invalid value for workers (flag or UPDRAFT_WORKERS)');
  });
});
