import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { SimpleAuthRole, UserRecord } from '../../../../src/core/ports/user-store.ts';
import type { AuthenticatedUser, ResourceMethod } from '../../../../src/services/auth/auth-manager.ts';
import { AuthenticationError } from '../../../../src/services/auth/errors.ts';
import { hashPassword } from '../../../../src/services/auth/passwords.ts';
import { SimpleAuthManager } from '../../../../src/services/auth/simple-auth-manager.ts';
import { MemoryUserStore } from './memory-user-store.ts';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const NOW = '2026-03-01T10:00:00.000Z';
const ROLES: SimpleAuthRole[] = ['viewer', 'user', 'op', 'admin'];
const METHODS: ResourceMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

function user(username: string, role: SimpleAuthRole, limits: Partial<Pick<UserRecord, 'dagIds' | 'dagTags'>> = {}): UserRecord {
  return { username, role, passwordHash: 'unused', dagIds: null, dagTags: null, createdAt: new Date(NOW), ...limits };
}

const asUser = (record: UserRecord): AuthenticatedUser => ({ id: record.username, name: record.username, role: record.role });

/**
 * Airflow 3's SimpleAuthManager, written out: the lowest role allowed for reading (GET) and for changing
 * (POST, PUT, DELETE). Admin may do everything.
 */
const EXPECTED: Array<{ resource: string; read: SimpleAuthRole; write: SimpleAuthRole }> = [
  { resource: 'dag', read: 'viewer', write: 'user' },
  { resource: 'connection', read: 'op', write: 'op' },
  { resource: 'pool', read: 'viewer', write: 'op' },
  { resource: 'variable', read: 'op', write: 'op' },
  { resource: 'asset', read: 'viewer', write: 'op' },
  { resource: 'backfill', read: 'viewer', write: 'op' },
  { resource: 'configuration', read: 'viewer', write: 'op' },
];

function check(manager: SimpleAuthManager, resource: string, method: ResourceMethod, who: AuthenticatedUser): Promise<boolean> {
  const request = { method, user: who };
  switch (resource) {
    case 'dag':
      return manager.isAuthorizedDag({ ...request, dagId: 'any_dag' });
    case 'connection':
      return manager.isAuthorizedConnection(request);
    case 'pool':
      return manager.isAuthorizedPool(request);
    case 'variable':
      return manager.isAuthorizedVariable(request);
    case 'asset':
      return manager.isAuthorizedAsset(request);
    case 'backfill':
      return manager.isAuthorizedBackfill(request);
    default:
      return manager.isAuthorizedConfiguration(request);
  }
}

describe('SimpleAuthManager', () => {
  let users: MemoryUserStore;
  let clock: ManualClock;
  let manager: SimpleAuthManager;
  let dagTags: Map<string, string[]>;

  beforeEach(async () => {
    users = new MemoryUserStore();
    for (const role of ROLES) await users.createUser(user(role, role));
    clock = new ManualClock(NOW);
    dagTags = new Map([
      ['finance_daily', ['finance', 'daily']],
      ['sales_daily', ['sales']],
      ['untagged', []],
    ]);
    manager = new SimpleAuthManager({ users, clock, jwtSecret: SECRET, jwtExpirationSeconds: 600, dagTags: async (dagId) => dagTags.get(dagId) ?? null });
  });

  describe('role matrix', () => {
    const cases = EXPECTED.flatMap(({ resource, read, write }) =>
      ROLES.flatMap((role) =>
        METHODS.map((method) => {
          const needed = method === 'GET' ? read : write;
          return { resource, role, method, allowed: ROLES.indexOf(role) >= ROLES.indexOf(needed) };
        }),
      ),
    );

    it.each(cases)('$role $method on $resource → $allowed', async ({ resource, role, method, allowed }) => {
      expect(await check(manager, resource, method, asUser(user(role, role)))).toBe(allowed);
    });

    it.each(ROLES)('every role may see the views (%s)', async (role) => {
      expect(await manager.isAuthorizedView({ accessView: 'IMPORT_ERRORS', user: asUser(user(role, role)) })).toBe(true);
    });

    it('uses the stored role, not the one the caller claims', async () => {
      const claimsAdmin: AuthenticatedUser = { id: 'viewer', name: 'viewer', role: 'admin' };
      expect(await manager.isAuthorizedVariable({ method: 'GET', user: claimsAdmin })).toBe(false);
    });

    it('refuses everything to a user that is not stored', async () => {
      const ghost: AuthenticatedUser = { id: 'ghost', name: 'ghost', role: 'admin' };
      expect(await manager.isAuthorizedDag({ method: 'GET', user: ghost })).toBe(false);
      expect(await manager.isAuthorizedView({ accessView: 'WEBSITE', user: ghost })).toBe(false);
      expect(await manager.getAuthorizedDagIds({ user: ghost, method: 'GET', dagIds: ['sales_daily'], tagsByDag: new Map() })).toEqual(new Set());
    });

    it('batch checks pass only when every request passes', async () => {
      const op = asUser(user('op', 'op'));
      const viewer = asUser(user('viewer', 'viewer'));
      expect(await manager.batchIsAuthorizedPool([{ method: 'GET', user: viewer }, { method: 'POST', user: op }])).toBe(true);
      expect(await manager.batchIsAuthorizedPool([{ method: 'GET', user: viewer }, { method: 'POST', user: viewer }])).toBe(false);
      expect(await manager.batchIsAuthorizedVariable([{ method: 'PUT', user: op }])).toBe(true);
      expect(await manager.batchIsAuthorizedConnection([{ method: 'GET', user: viewer }])).toBe(false);
      expect(await manager.batchIsAuthorizedDag([{ method: 'PUT', user: asUser(user('user', 'user')), dagId: 'a' }])).toBe(true);
      expect(await manager.batchIsAuthorizedDag([{ method: 'PUT', user: viewer, dagId: 'a' }])).toBe(false);
    });
  });

  describe('per-DAG access', () => {
    beforeEach(async () => {
      await users.createUser(user('by_id', 'user', { dagIds: ['sales_daily'] }));
      await users.createUser(user('by_tag', 'user', { dagTags: ['finance'] }));
      await users.createUser(user('both', 'viewer', { dagIds: ['untagged'], dagTags: ['sales'] }));
      await users.createUser(user('nothing', 'admin', { dagIds: [] }));
    });

    it.each([
      ['by_id', 'sales_daily', true],
      ['by_id', 'finance_daily', false],
      ['by_tag', 'finance_daily', true],
      ['by_tag', 'sales_daily', false],
      ['by_tag', 'unknown_dag', false],
      ['both', 'untagged', true],
      ['both', 'sales_daily', true],
      ['both', 'finance_daily', false],
      ['nothing', 'sales_daily', false],
      ['user', 'finance_daily', true],
    ] as const)('%s on DAG %s → %s', async (name, dagId, allowed) => {
      const who = asUser((await users.getUser(name))!);
      expect(await manager.isAuthorizedDag({ method: 'GET', user: who, dagId })).toBe(allowed);
      expect(await manager.isAuthorizedDag({ method: 'GET', user: who, dagId, accessEntity: 'RUN' })).toBe(allowed);
    });

    it('still applies the role inside the allowed DAGs', async () => {
      const both = asUser((await users.getUser('both'))!);
      expect(await manager.isAuthorizedDag({ method: 'POST', user: both, dagId: 'untagged' })).toBe(false);
    });

    it('answers "any DAG" by role alone; the list is then filtered', async () => {
      const byId = asUser((await users.getUser('by_id'))!);
      expect(await manager.isAuthorizedDag({ method: 'GET', user: byId })).toBe(true);
    });

    it('without a tag lookup, a tag-limited user reaches only the DAGs named by id', async () => {
      const noLookup = new SimpleAuthManager({ users, clock, jwtSecret: SECRET });
      expect(await noLookup.isAuthorizedDag({ method: 'GET', user: asUser((await users.getUser('by_tag'))!), dagId: 'finance_daily' })).toBe(false);
      expect(await noLookup.isAuthorizedDag({ method: 'GET', user: asUser((await users.getUser('both'))!), dagId: 'untagged' })).toBe(true);
    });

    it('getAuthorizedDagIds filters by ids and by tags, and by role', async () => {
      const dagIds = ['finance_daily', 'sales_daily', 'untagged'];
      const tagsByDag = dagTags;
      const ids = async (name: string, method: ResourceMethod = 'GET') =>
        [...(await manager.getAuthorizedDagIds({ user: asUser((await users.getUser(name))!), method, dagIds, tagsByDag }))].sort();
      expect(await ids('user')).toEqual(dagIds);
      expect(await ids('by_id')).toEqual(['sales_daily']);
      expect(await ids('by_tag')).toEqual(['finance_daily']);
      expect(await ids('both')).toEqual(['sales_daily', 'untagged']);
      expect(await ids('both', 'PUT')).toEqual([]);
      expect(await ids('nothing')).toEqual([]);
      expect(await ids('viewer', 'DELETE')).toEqual([]);
    });
  });

  describe('tokens and credentials', () => {
    beforeEach(async () => {
      await users.putUser({ ...user('alice', 'op'), passwordHash: await hashPassword('alice-password') });
    });

    it('authenticates the right password and issues a token that identifies the user', async () => {
      const alice = await manager.authenticate({ username: 'alice', password: 'alice-password' });
      expect(alice).toEqual({ id: 'alice', name: 'alice', role: 'op' });
      const token = await manager.generateToken(alice);
      expect(await manager.getUserFromToken(token)).toEqual({ id: 'alice', name: 'alice', role: 'op' });
    });

    it('refuses a wrong password and an unknown user with the same message', async () => {
      // Both settle before either is looked at: an unobserved rejection would be reported as unhandled.
      const [wrong, unknown] = await Promise.allSettled([
        manager.authenticate({ username: 'alice', password: 'nope' }),
        manager.authenticate({ username: 'nobody', password: 'alice-password' }),
      ]);
      expect(wrong.status).toBe('rejected');
      expect(unknown.status).toBe('rejected');
      const errors = [wrong, unknown].map((result) => (result as PromiseRejectedResult).reason as Error);
      for (const error of errors) expect(error).toBeInstanceOf(AuthenticationError);
      expect(errors[0]!.message).toBe(errors[1]!.message);
      expect(errors[0]!.message).toMatch(/Invalid credentials/);
    });

    it('refuses an expired token', async () => {
      const token = await manager.generateToken(await manager.authenticate({ username: 'alice', password: 'alice-password' }));
      clock.advanceSeconds(600);
      await expect(manager.getUserFromToken(token)).rejects.toThrow(/expired/);
    });

    it('refuses the token of a deleted user, and applies a role change at once', async () => {
      const token = await manager.generateToken(await manager.authenticate({ username: 'alice', password: 'alice-password' }));
      await users.putUser({ ...(await users.getUser('alice'))!, role: 'viewer' });
      const demoted = await manager.getUserFromToken(token);
      expect(demoted.role).toBe('viewer');
      expect(await manager.isAuthorizedVariable({ method: 'GET', user: demoted })).toBe(false);
      await users.deleteUser('alice');
      await expect(manager.getUserFromToken(token)).rejects.toThrow(/User "alice" no longer exists/);
    });

    it('refuses a token from a manager with another secret', async () => {
      const other = new SimpleAuthManager({ users, clock, jwtSecret: `${SECRET}-rotated` });
      const token = await other.generateToken(asUser((await users.getUser('alice'))!));
      await expect(manager.getUserFromToken(token)).rejects.toThrow(/signature is not valid/);
    });
  });
});
