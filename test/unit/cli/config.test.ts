import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommands } from '../../../src/cli/commands/config.ts';
import { CliUsageError } from '../../../src/cli/output.ts';
import { UpdraftConfig } from '../../../src/core/config/updraft-config.ts';
import { ConfigError, UpdraftError } from '../../../src/core/errors.ts';

const CFG = ['# updraft.cfg', '[core]', 'executor = lambda, fargate', 'parallelism = 64', '', '[fargate]', 'cluster = updraft'].join('\n');

async function run(args: string[], env: Record<string, string> = {}, sink?: { text: string }): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const program = new Command('updraft').exitOverride().configureOutput({
    writeOut: (s) => {
      text += s;
      if (sink) sink.text += s;
    },
    writeErr: () => {},
  });
  registerConfigCommands(program, { stdout, loadConfig: () => UpdraftConfig.resolve({ file: { path: './updraft.cfg', text: CFG }, env }) });
  await program.parseAsync(['node', 'updraft', ...args]);
  return text;
}

describe('updraft config get-value', () => {
  it('prints the value alone, lists comma-joined, so scripts can use it', async () => {
    expect(await run(['config', 'get-value', 'core', 'executor'])).toBe('lambda,fargate\n');
    expect(await run(['config', 'get-value', 'core', 'executor'], { UPDRAFT__CORE__EXECUTOR: 'fargate' })).toBe('fargate\n');
    expect(await run(['config', 'get-value', 'core', 'parallelism'])).toBe('64\n');
    expect(await run(['config', 'get-value', 'fargate', 'assign_public_ip'])).toBe('false\n');
  });

  it('prints an empty line for an unset key, and a sensitive value it was asked for by name', async () => {
    expect(await run(['config', 'get-value', 'fargate', 'log_group'])).toBe('\n');
    expect(await run(['config', 'get-value', 'api_auth', 'jwt_secret'], { UPDRAFT__API_AUTH__JWT_SECRET: 's3cret' })).toBe('s3cret\n');
  });

  it('fails with an UpdraftError (exit code 1 in main) for an unknown key, listing the known ones', async () => {
    const attempt = run(['config', 'get-value', 'core', 'executr']);
    await expect(attempt).rejects.toBeInstanceOf(UpdraftError);
    await expect(run(['config', 'get-value', 'core', 'executr'])).rejects.toThrow(
      'Unknown key "executr" in section [core] (did you mean "executor"?). Known keys of [core]: executor, parallelism, auth_manager.',
    );
    await expect(run(['config', 'get-value', 'nope', 'executor'])).rejects.toThrow('Unknown configuration section [nope]. Known sections:');
  });
});

describe('updraft config list', () => {
  it('prints a table of section, key, value and source', async () => {
    const text = await run(['config', 'list', '--section', 'core'], { UPDRAFT__CORE__EXECUTOR: 'lambda,fargate' });
    expect(text).toBe(
      [
        'section | key          | value          | source',
        '========+==============+================+============================',
        'core    | auth_manager | simple         | default',
        'core    | executor     | lambda,fargate | env UPDRAFT__CORE__EXECUTOR',
        'core    | parallelism  | 64             | file ./updraft.cfg:4',
        '',
      ].join('\n'),
    );
  });

  it('lists every section sorted, and hides sensitive values', async () => {
    const text = await run(['config', 'list'], { UPDRAFT__API_AUTH__JWT_SECRET: 's3cret' });
    const lines = text.trimEnd().split('\n').slice(2);
    expect(lines.map((line) => line.split(' | ')[0]!.trim())).toEqual([...lines.map((line) => line.split(' | ')[0]!.trim())].sort());
    expect(text).not.toContain('s3cret');
    expect(text).toMatch(/^api_auth +\| jwt_secret +\| < hidden > +\| env UPDRAFT__API_AUTH__JWT_SECRET$/m);
    expect(text).toMatch(/^fargate +\| cluster +\| updraft +\| file \.\/updraft\.cfg:7$/m);
  });

  it('prints JSON with typed values, null for unset and hidden sensitive values', async () => {
    const rows = JSON.parse(await run(['config', 'list', '-o', 'json', '--section', 'FARGATE'], {}));
    expect(rows.find((row: { key: string }) => row.key === 'subnets')).toEqual({ section: 'fargate', key: 'subnets', value: [], source: 'default' });
    expect(rows.find((row: { key: string }) => row.key === 'cluster')).toEqual({ section: 'fargate', key: 'cluster', value: 'updraft', source: 'file ./updraft.cfg:7' });
    expect(rows.find((row: { key: string }) => row.key === 'log_group').value).toBeNull();
    expect(rows.find((row: { key: string }) => row.key === 'assign_public_ip').value).toBe(false);
    const secret = JSON.parse(await run(['config', 'list', '-o', 'json', '--section', 'api_auth'], { UPDRAFT__API_AUTH__JWT_SECRET: 's3cret' }));
    expect(secret).toContainEqual({ section: 'api_auth', key: 'jwt_secret', value: '< hidden >', source: 'env UPDRAFT__API_AUTH__JWT_SECRET' });
  });

  it('adds descriptions on request', async () => {
    const rows = JSON.parse(await run(['config', 'list', '-o', 'json', '--section', 'metrics', '--include-descriptions']));
    expect(rows[0]).toEqual({ section: 'metrics', key: 'enabled', value: true, source: 'default', description: 'Emit CloudWatch metrics (as EMF log lines).' });
  });

  it('refuses an unknown section and an unknown output format', async () => {
    await expect(run(['config', 'list', '--section', 'fargat'])).rejects.toThrow(ConfigError);
    await expect(run(['config', 'list', '--section', 'fargat'])).rejects.toThrow('Unknown configuration section [fargat] (did you mean "fargate"?).');
    await expect(run(['config', 'list', '-o', 'xml'])).rejects.toThrow(CliUsageError);
  });

  it('shows examples in --help', async () => {
    const sink = { text: '' };
    await expect(run(['config', 'list', '--help'], {}, sink)).rejects.toMatchObject({ exitCode: 0 });
    expect(sink.text).toContain('Examples:\n  $ updraft config list\n  $ updraft config list --section fargate -o json');
    expect(sink.text).toContain('Sensitive values are shown as "< hidden >"');
    sink.text = '';
    await expect(run(['config', 'get-value', '--help'], {}, sink)).rejects.toMatchObject({ exitCode: 0 });
    expect(sink.text).toContain('$ updraft config get-value core executor\n  lambda,fargate');
  });
});
