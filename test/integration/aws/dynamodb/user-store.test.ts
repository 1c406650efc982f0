import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUserStore } from '../../../../src/aws/dynamodb/user-store.ts';
import { ConflictError, ValidationError } from '../../../../src/core/errors.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { UserRecord } from '../../../../src/core/ports/user-store.ts';
import { ensureAdminUser } from '../../../../src/services/auth/bootstrap-admin.ts';
import { verifyPassword } from '../../../../src/services/auth/passwords.ts';
import { createTestMetastore, type TestMetastore } from './fixtures.ts';

const user = (username: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
  username,
  role: 'viewer',
  passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
  dagIds: null,
  dagTags: null,
  createdAt: new Date('2026-03-01T10:00:00.123Z'),
  ...overrides,
});

let testTable: TestMetastore;
let store: DynamoDbUserStore;
beforeAll(async () => {
  testTable = await createTestMetastore('user-store');
  store = new DynamoDbUserStore(testTable.client, testTable.tableName);
});

describe('DynamoDbUserStore', () => {
  it('creates, reads, replaces and deletes a user, keeping null and empty limits apart', async () => {
    expect(await store.getUser('ann')).toBeNull();
    await store.createUser(user('ann', { role: 'op', dagIds: [], dagTags: ['finance', 'daily'] }));
    expect(await store.getUser('ann')).toEqual(user('ann', { role: 'op', dagIds: [], dagTags: ['finance', 'daily'] }));
    await store.putUser(user('ann', { role: 'admin' }));
    expect(await store.getUser('ann')).toEqual(user('ann', { role: 'admin' }));
    expect(await store.deleteUser('ann')).toBe(true);
    expect(await store.getUser('ann')).toBeNull();
    expect(await store.deleteUser('ann')).toBe(false);
  });

  it('refuses to create a user whose name is taken, leaving the first one as it was', async () => {
    await store.createUser(user('bob', { role: 'user' }));
    const second = store.createUser(user('bob', { role: 'admin' }));
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(store.createUser(user('bob'))).rejects.toThrow(/User "bob" already exists/);
    expect((await store.getUser('bob'))?.role).toBe('user');
  });

  it('validates names and roles before writing', async () => {
    await expect(store.createUser(user(''))).rejects.toBeInstanceOf(ValidationError);
    await expect(store.createUser(user('has space'))).rejects.toThrow(/not a valid user name/);
    await expect(store.putUser(user('carl', { role: 'superuser' as UserRecord['role'] }))).rejects.toThrow(/use one of viewer, user, op, admin/);
    expect(await store.getUser('carl')).toBeNull();
  });

  it('lists users ordered by name', async () => {
    const listed = await createTestMetastore('user-list');
    const users = new DynamoDbUserStore(listed.client, listed.tableName);
    expect(await users.listUsers()).toEqual([]);
    for (const name of ['zoe', 'adam', 'mia@example.com']) await users.createUser(user(name));
    expect((await users.listUsers()).map((record) => record.username)).toEqual(['adam', 'mia@example.com', 'zoe']);
  });

  it('bootstraps one admin on an empty table, then never again', async () => {
    const fresh = await createTestMetastore('user-bootstrap');
    const users = new DynamoDbUserStore(fresh.client, fresh.tableName);
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const passwords = await Promise.all([ensureAdminUser(users, { clock }), ensureAdminUser(users, { clock })]);
    const created = passwords.filter((password) => password !== null);
    expect(created).toHaveLength(1);
    const admin = (await users.getUser('admin'))!;
    expect(admin.role).toBe('admin');
    expect(await verifyPassword(created[0]!, admin.passwordHash)).toBe(true);
    expect(await ensureAdminUser(users, { clock })).toBeNull();
  });
});
