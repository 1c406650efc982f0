import { ConflictError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { UserStore } from '../../core/ports/user-store.ts';
import { generatePassword, hashPassword } from './passwords.ts';

/**
 * The first admin of a fresh deployment, as Airflow's simple auth manager generates passwords for its
 * configured users: when no user exists at all, creates `username` as admin with a random password and
 * returns that password, the only time it is ever seen (only its hash is stored). Otherwise returns null.
 * Two processes racing here create one admin: the loser's conditional create fails and it returns null.
 */
export async function ensureAdminUser(users: UserStore, options: { clock: Clock; username?: string }): Promise<string | null> {
  if ((await users.listUsers()).length > 0) return null;
  const password = generatePassword();
  try {
    await users.createUser({
      username: options.username ?? 'admin',
      role: 'admin',
      passwordHash: await hashPassword(password),
      dagIds: null,
      dagTags: null,
      createdAt: options.clock.now(),
    });
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
  return password;
}
