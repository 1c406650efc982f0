import { Writable } from 'node:stream';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUserStore } from '../../../src/aws/dynamodb/user-store.ts';
import { registerUsersCommands } from '../../../src/cli/commands/users.ts';
import { CliUsageError } from '../../../src/cli/output.ts';
import { ConflictError } from '../../../src/core/errors.ts';
import { ManualClock } from '../../../src/core/ports/clock.ts';
import { verifyPassword } from '../../../src/services/auth/passwords.ts';
import { createTestMetastore } from '../aws/dynamodb/fixtures.ts';

let users: DynamoDbUserStore;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  const table = await createTestMetastore('cli-users');
  users = new DynamoDbUserStore(table.client, table.tableName);
});

/** Runs `updraft users ...` through commander, as main.ts does, against the emulated table. */
async function run(args: string[]): Promise<string> {
  let stdout = '';
  const program = new Command('updraft').exitOverride().configureOutput({ writeOut: (text) => (stdout += text), writeErr: () => {} });
  registerUsersCommands(program, {
    stdout: new Writable({
      write(chunk, _encoding, callback) {
        stdout += chunk.toString();
        callback();
      },
    }),
    clock,
    withUsers: (action) => action(users),
  });
  await program.parseAsync(['node', 'updraft', 'users', ...args]);
  return stdout;
}

describe('updraft users', () => {
  it('creates a user with the given password, stored hashed', async () => {
    const out = await run(['create', '--username', 'bob', '--role', 'OP', '--password', 'bob-password']);
    expect(out).toBe('User "bob" created with role op, reaching every DAG.\n');
    const bob = (await users.getUser('bob'))!;
    expect(bob).toMatchObject({ role: 'op', dagIds: null, dagTags: null, createdAt: clock.now() });
    expect(bob.passwordHash).not.toContain('bob-password');
    expect(await verifyPassword('bob-password', bob.passwordHash)).toBe(true);
  });

  it('generates and prints a password when none is given, and stores the DAG limits', async () => {
    const out = await run(['create', '-u', 'carol', '-r', 'viewer', '--dag-ids', 'sales_daily, sales_hourly', '--dag-tags', 'finance']);
    expect(out).toContain('User "carol" created with role viewer, reaching only DAGs sales_daily, sales_hourly and DAGs tagged finance.');
    const password = /Password for user "carol": (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^\w{16}$/);
    const carol = (await users.getUser('carol'))!;
    expect(carol).toMatchObject({ dagIds: ['sales_daily', 'sales_hourly'], dagTags: ['finance'] });
    expect(await verifyPassword(password!, carol.passwordHash)).toBe(true);
  });

  it('refuses an unknown role, a short password and a taken name', async () => {
    await expect(run(['create', '-u', 'dan', '-r', 'superuser'])).rejects.toThrow(CliUsageError);
    await expect(run(['create', '-u', 'dan', '-r', 'superuser'])).rejects.toThrow(/--role must be one of viewer, user, op, admin/);
    await expect(run(['create', '-u', 'dan', '-r', 'user', '-p', 'short'])).rejects.toThrow(/at least 8 characters/);
    await expect(run(['create', '-u', 'bob', '-r', 'user', '-p', 'other-password'])).rejects.toBeInstanceOf(ConflictError);
    expect(await users.getUser('dan')).toBeNull();
    expect((await users.getUser('bob'))?.role).toBe('op');
  });

  it('lists users as a table and as JSON, never with a password hash', async () => {
    const table = await run(['list']);
    expect(table.split('\n').slice(0, 1)).toEqual(['username | role   | dag_ids                  | dag_tags | created_at']);
    expect(table).toMatch(/^bob {6}\| op {5}\| {26}\| {10}\| 2026-03-01T10:00:00.000Z$/m);
    expect(table).toMatch(/^carol +\| viewer \| sales_daily,sales_hourly \| finance +\| 2026-03-01T10:00:00.000Z$/m);
    const json = JSON.parse(await run(['list', '-o', 'json'])) as Array<Record<string, unknown>>;
    expect(json).toEqual([
      { username: 'bob', role: 'op', dag_ids: null, dag_tags: null, created_at: '2026-03-01T10:00:00.000Z' },
      { username: 'carol', role: 'viewer', dag_ids: ['sales_daily', 'sales_hourly'], dag_tags: ['finance'], created_at: '2026-03-01T10:00:00.000Z' },
    ]);
    expect(JSON.stringify(json)).not.toContain('scrypt');
  });

  it('shows examples in --help', async () => {
    let help = '';
    const program = new Command('updraft').exitOverride().configureOutput({ writeOut: (text) => (help += text), writeErr: () => {} });
    registerUsersCommands(program, { stdout: process.stdout, clock, withUsers: (action) => action(users) });
    await expect(program.parseAsync(['node', 'updraft', 'users', 'create', '--help'])).rejects.toThrow();
    expect(help).toContain('$ updraft users create --username alice --role admin');
    expect(help).toContain('--dag-tags <tags>');
  });
});
