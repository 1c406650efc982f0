import { describe, expect, it } from 'vitest';
import { CONFIG_DEFINITIONS } from '../../../../src/core/config/definitions.ts';
import { describeConfigSource, displayConfigValue, HIDDEN_VALUE, UpdraftConfig } from '../../../../src/core/config/updraft-config.ts';
import { ConfigError } from '../../../../src/core/errors.ts';

const file = (text: string) => ({ path: './updraft.cfg', text });

function resolveError(input: Parameters<typeof UpdraftConfig.resolve>[0]): ConfigError {
  try {
    UpdraftConfig.resolve(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('UpdraftConfig precedence', () => {
  it('uses built-in defaults when nothing is set', () => {
    const config = UpdraftConfig.resolve({ env: {} });
    expect(config.get('core', 'executor')).toMatchObject({ value: ['lambda'], source: { kind: 'default' } });
    expect(config.getInteger('core', 'parallelism')).toBe(32);
    expect(config.getString('fargate', 'capacity_provider')).toBe('FARGATE');
    expect(config.executors()).toEqual([{ alias: 'lambda', builtin: 'lambda' }]);
  });

  it('lets the file override a default, naming the file and line', () => {
    const config = UpdraftConfig.resolve({ file: file('[core]\n\nparallelism = 8'), env: {} });
    expect(config.get('core', 'parallelism')).toMatchObject({ value: 8, source: { kind: 'file', path: './updraft.cfg', line: 3 } });
  });

  it('lets an environment variable override the file', () => {
    const config = UpdraftConfig.resolve({
      file: file('[core]\nexecutor = lambda\nparallelism = 8'),
      env: { UPDRAFT__CORE__EXECUTOR: 'fargate,lambda', PATH: '/bin' },
    });
    expect(config.get('core', 'executor')).toMatchObject({ value: ['fargate', 'lambda'], source: { kind: 'env', variable: 'UPDRAFT__CORE__EXECUTOR' } });
    expect(config.get('core', 'parallelism').source).toEqual({ kind: 'file', path: './updraft.cfg', line: 3 });
    expect(config.executors().map((spec) => spec.alias)).toEqual(['fargate', 'lambda']);
  });

  it('ignores variables that are declared but undefined, and other UPDRAFT_ variables', () => {
    const config = UpdraftConfig.resolve({ env: { UPDRAFT__CORE__PARALLELISM: undefined, UPDRAFT_DAGS_FOLDER: 'dags' } });
    expect(config.get('core', 'parallelism').source).toEqual({ kind: 'default' });
  });

  it('describes each source as `config list` prints it', () => {
    expect(describeConfigSource({ kind: 'default' })).toBe('default');
    expect(describeConfigSource({ kind: 'env', variable: 'UPDRAFT__CORE__EXECUTOR' })).toBe('env UPDRAFT__CORE__EXECUTOR');
    expect(describeConfigSource({ kind: 'file', path: './updraft.cfg', line: 3 })).toBe('file ./updraft.cfg:3');
  });
});

describe('UpdraftConfig types', () => {
  const config = UpdraftConfig.resolve({
    file: file(
      [
        '[fargate]',
        'cluster = prod',
        'subnets = subnet-a, subnet-b,',
        'assign_public_ip = True',
        'capacity_provider = fargate_spot',
        'max_run_task_attempts = +5',
        '[metrics]',
        'enabled = 0',
      ].join('\n'),
    ),
    env: { UPDRAFT__FARGATE__SECURITY_GROUPS: '' },
  });

  it('reads strings, integers, booleans, lists and enum choices', () => {
    expect(config.getString('fargate', 'cluster')).toBe('prod');
    expect(config.getList('fargate', 'subnets')).toEqual(['subnet-a', 'subnet-b']);
    expect(config.getList('fargate', 'security_groups')).toEqual([]);
    expect(config.getBoolean('fargate', 'assign_public_ip')).toBe(true);
    expect(config.getBoolean('metrics', 'enabled')).toBe(false);
    expect(config.getInteger('fargate', 'max_run_task_attempts')).toBe(5);
    expect(config.getString('fargate', 'capacity_provider')).toBe('FARGATE_SPOT');
  });

  it('gives null for an unset optional string, and a getString error that says how to set it', () => {
    expect(config.getOptionalString('fargate', 'log_group')).toBeNull();
    expect(() => config.getString('fargate', 'task_definition')).toThrow(
      '[fargate] task_definition is not set. Set it in updraft.cfg ([fargate] task_definition = updraft-task-runner:3) or with UPDRAFT__FARGATE__TASK_DEFINITION=updraft-task-runner:3.',
    );
  });

  it('refuses a getter of the wrong type, naming the right one', () => {
    expect(() => config.getInteger('core', 'executor')).toThrow('[core] executor is a list, which getInteger() cannot read; use getList().');
    expect(() => config.getString('core', 'parallelism')).toThrow(ConfigError);
  });

  it('looks keys up case-insensitively', () => {
    expect(config.get('FARGATE', 'Cluster').value).toBe('prod');
  });

  it('hands out copies, so a caller cannot change the configuration', () => {
    config.getList('fargate', 'subnets').push('subnet-z');
    config.entries().find((entry) => entry.key === 'subnets')!.value = [];
    expect(config.getList('fargate', 'subnets')).toEqual(['subnet-a', 'subnet-b']);
  });
});

describe('UpdraftConfig errors', () => {
  it.each([
    [{ UPDRAFT__CORE__PARALLELISM: 'abc' }, 'UPDRAFT__CORE__PARALLELISM: [core] parallelism must be an integer of at least 1, e.g. 64; got "abc".'],
    [{ UPDRAFT__CORE__PARALLELISM: '0' }, 'UPDRAFT__CORE__PARALLELISM: [core] parallelism must be an integer of at least 1, e.g. 64; got 0.'],
    [{ UPDRAFT__CORE__PARALLELISM: '1.5' }, 'UPDRAFT__CORE__PARALLELISM: [core] parallelism must be an integer of at least 1, e.g. 64; got "1.5".'],
    [{ UPDRAFT__METRICS__ENABLED: 'yes' }, 'UPDRAFT__METRICS__ENABLED: [metrics] enabled must be a boolean (true or false), e.g. false; got "yes".'],
    [
      { UPDRAFT__FARGATE__CAPACITY_PROVIDER: 'SPOT' },
      'UPDRAFT__FARGATE__CAPACITY_PROVIDER: [fargate] capacity_provider must be one of FARGATE, FARGATE_SPOT, e.g. FARGATE_SPOT; got "SPOT".',
    ],
  ])('names the variable, the expected type and an example for %j', (env, message) => {
    expect(resolveError({ env }).message).toBe(`The Updraft configuration is not valid: ${message}`);
  });

  it('names the file line of a bad value', () => {
    expect(resolveError({ file: file('[scheduler]\ntask_queued_timeout = ten minutes'), env: {} }).message).toBe(
      'The Updraft configuration is not valid: ./updraft.cfg:2: [scheduler] task_queued_timeout must be an integer of at least 1, e.g. 1200; got "ten minutes".',
    );
  });

  it('refuses an unknown key in the file, naming the line, a suggestion and the known keys of the section', () => {
    expect(resolveError({ file: file('[core]\nparalelism = 4'), env: {} }).message).toBe(
      'The Updraft configuration is not valid: ./updraft.cfg:2: unknown key "paralelism" in section [core] (did you mean "parallelism"?). ' +
        'Known keys of [core]: executor, parallelism, auth_manager.',
    );
  });

  it('refuses an unknown section in the file, listing the sections', () => {
    expect(resolveError({ file: file('# x\n[fargte]\ncluster = a\nsubnets = b'), env: {} }).message).toBe(
      'The Updraft configuration is not valid: ' +
      './updraft.cfg:2: unknown configuration section [fargte] (did you mean "fargate"?). Known sections: core, api_auth, api, scheduler, fargate, metrics.',
    );
  });

  it('refuses unknown and malformed UPDRAFT__ variables, naming them', () => {
    const error = resolveError({ env: { UPDRAFT__CORE__EXECUTR: 'lambda', UPDRAFT__CORE: 'x', UPDRAFT__WEBSERVER__PORT: '8080' } });
    expect(error.message).toBe(
      [
        'The Updraft configuration is not valid (3 problems):',
        '  - UPDRAFT__CORE: not a configuration variable; they are named UPDRAFT__<SECTION>__<KEY>, e.g. UPDRAFT__CORE__EXECUTOR. Remove or rename it.',
        '  - UPDRAFT__CORE__EXECUTR: unknown key "executr" in section [core] (did you mean "executor"?). Known keys of [core]: executor, parallelism, auth_manager. Remove or rename the variable.',
        '  - UPDRAFT__WEBSERVER__PORT: unknown configuration section [webserver]. Known sections: core, api_auth, api, scheduler, fargate, metrics. Remove or rename the variable.',
      ].join('\n'),
    );
  });

  it('checks the executor list at start-up and says where it was set', () => {
    expect(resolveError({ env: { UPDRAFT__CORE__EXECUTOR: 'lambda,lamda' } }).message).toContain(
      'UPDRAFT__CORE__EXECUTOR: [core] executor: unknown executor "lamda" (did you mean "lambda"?).',
    );
    expect(resolveError({ file: file('[core]\nexecutor ='), env: {} }).message).toBe(
      'The Updraft configuration is not valid: ./updraft.cfg:2: [core] executor: is empty: name at least one executor, e.g. "lambda" (built-in: local, lambda, fargate).',
    );
  });

  it('reports problems from the file and the environment together', () => {
    const error = resolveError({ file: file('[core]\nparallelism = many'), env: { UPDRAFT__METRICS__ENABLED: 'maybe' } });
    expect(error.message).toMatch(/\(2 problems\):\n {2}- \.\/updraft\.cfg:2: .*\n {2}- UPDRAFT__METRICS__ENABLED: /);
  });

  it('refuses to get an unknown key or section, listing what exists', () => {
    const config = UpdraftConfig.defaults();
    expect(() => config.get('core', 'executors')).toThrow(
      'Unknown key "executors" in section [core] (did you mean "executor"?). Known keys of [core]: executor, parallelism, auth_manager.',
    );
    expect(() => config.get('celery', 'broker_url')).toThrow('Unknown configuration section [celery]. Known sections: core, api_auth, api, scheduler, fargate, metrics.');
  });
});

describe('UpdraftConfig entries', () => {
  it('lists every defined key once, sorted by section then key', () => {
    const entries = UpdraftConfig.defaults().entries();
    expect(entries).toHaveLength(CONFIG_DEFINITIONS.length);
    const ids = entries.map((entry) => `${entry.section}.${entry.key}`);
    expect(ids).toEqual([...ids].sort());
    expect(ids.slice(0, 3)).toEqual(['api.expose_config', 'api_auth.jwt_expiration_time', 'api_auth.jwt_secret']);
  });

  it('hides a sensitive value when it is set, and shows that it is unset otherwise', () => {
    const secret = 'x'.repeat(40);
    const set = UpdraftConfig.resolve({ env: { UPDRAFT__API_AUTH__JWT_SECRET: secret } }).get('api_auth', 'jwt_secret');
    expect(set).toMatchObject({ sensitive: true, value: secret });
    expect(displayConfigValue(set)).toBe(HIDDEN_VALUE);
    expect(displayConfigValue(UpdraftConfig.defaults().get('api_auth', 'jwt_secret'))).toBe('');
    expect(displayConfigValue(UpdraftConfig.defaults().get('core', 'executor'))).toBe('lambda');
  });
});
