import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findUpdraftConfigFile, loadUpdraftConfig } from '../../../src/local/config-file.ts';
import { ConfigError } from '../../../src/core/errors.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'updraft-config-file-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadUpdraftConfig', () => {
  it('uses the defaults when there is no file and no variable', () => {
    expect(findUpdraftConfigFile({}, dir)).toBeNull();
    const config = loadUpdraftConfig({}, dir);
    expect(config.get('core', 'executor')).toMatchObject({ value: ['lambda'], source: { kind: 'default' } });
  });

  it('reads ./updraft.cfg from the working directory, under the variables', () => {
    writeFileSync(join(dir, 'updraft.cfg'), '[core]\nexecutor = lambda, fargate\nparallelism = 4\n');
    const config = loadUpdraftConfig({ UPDRAFT__CORE__PARALLELISM: '16' }, dir);
    expect(config.get('core', 'executor')).toMatchObject({ value: ['lambda', 'fargate'], source: { kind: 'file', path: './updraft.cfg', line: 2 } });
    expect(config.get('core', 'parallelism')).toMatchObject({ value: 16, source: { kind: 'env', variable: 'UPDRAFT__CORE__PARALLELISM' } });
  });

  it('reads the file UPDRAFT_CONFIG_FILE names (relative to the working directory) instead of ./updraft.cfg', () => {
    writeFileSync(join(dir, 'updraft.cfg'), '[core]\nparallelism = 4\n');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'prod.cfg'), '[metrics]\nnamespace = Updraft/prod\n');
    const config = loadUpdraftConfig({ UPDRAFT_CONFIG_FILE: 'conf/prod.cfg' }, dir);
    expect(config.get('metrics', 'namespace')).toMatchObject({ value: 'Updraft/prod', source: { kind: 'file', path: 'conf/prod.cfg', line: 2 } });
    expect(config.get('core', 'parallelism').source).toEqual({ kind: 'default' });
  });

  it('refuses an UPDRAFT_CONFIG_FILE that does not exist, naming the path', () => {
    const expected = join(dir, 'missing.cfg');
    expect(() => loadUpdraftConfig({ UPDRAFT_CONFIG_FILE: 'missing.cfg' }, dir)).toThrow(ConfigError);
    expect(() => loadUpdraftConfig({ UPDRAFT_CONFIG_FILE: 'missing.cfg' }, dir)).toThrow(
      `UPDRAFT_CONFIG_FILE names the configuration file ${expected}, which does not exist. Create it, fix the path, or unset UPDRAFT_CONFIG_FILE.`,
    );
  });

  it('refuses a config file it cannot read as a file', () => {
    mkdirSync(join(dir, 'updraft.cfg'));
    expect(() => loadUpdraftConfig({}, dir)).toThrow(`The configuration file ${join(dir, 'updraft.cfg')} cannot be read: EISDIR`);
  });

  it('names the file and line of a typo in the file', () => {
    writeFileSync(join(dir, 'updraft.cfg'), '# comment\n[fargate]\nsubnet = subnet-a\n');
    expect(() => loadUpdraftConfig({}, dir)).toThrow(
      'The Updraft configuration is not valid: ./updraft.cfg:3: unknown key "subnet" in section [fargate] (did you mean "subnets"?).',
    );
  });
});
