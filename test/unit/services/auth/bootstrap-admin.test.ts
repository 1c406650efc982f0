import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ensureAdminUser } from '../../../../src/services/auth/bootstrap-admin.ts';
import { verifyPassword } from '../../../../src/services/auth/passwords.ts';
import { MemoryUserStore } from './memory-user-store.ts';

const clock = new ManualClock('2026-03-01T10:00:00.000Z');

describe('ensureAdminUser', () => {
  it('creates an admin with a random password when there is no user, and returns the password once', async () => {
    const users = new MemoryUserStore();
    const password = await ensureAdminUser(users, { clock });
    expect(password).toMatch(/^\w{16}$/);
    const admin = (await users.getUser('admin'))!;
    expect(admin).toMatchObject({ username: 'admin', role: 'admin', dagIds: null, dagTags: null, createdAt: clock.now() });
    expect(admin.passwordHash).not.toContain(password!);
    expect(await verifyPassword(password!, admin.passwordHash)).toBe(true);
    expect(await ensureAdminUser(users, { clock })).toBeNull();
  });

  it('does nothing when any user exists', async () => {
    const users = new MemoryUserStore();
    await users.createUser({ username: 'viewer1', role: 'viewer', passwordHash: 'x', dagIds: null, dagTags: null, createdAt: clock.now() });
    expect(await ensureAdminUser(users, { clock, username: 'root' })).toBeNull();
    expect(await users.getUser('root')).toBeNull();
  });

  it('uses the given name', async () => {
    const users = new MemoryUserStore();
    expect(await ensureAdminUser(users, { clock, username: 'root' })).not.toBeNull();
    expect((await users.getUser('root'))?.role).toBe('admin');
  });
});
