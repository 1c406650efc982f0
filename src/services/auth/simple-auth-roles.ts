import type { ResourceMethod } from './auth-manager.ts';
import { SIMPLE_AUTH_ROLES, type SimpleAuthRole } from '../../core/ports/user-store.ts';

/** What the simple auth manager guards; `view` covers Airflow's AccessView pages. */
export type SimpleAuthResource = 'dag' | 'connection' | 'pool' | 'variable' | 'asset' | 'backfill' | 'configuration' | 'view';

/**
 * The lowest role that may read (GET) and the lowest that may change (POST, PUT, DELETE) each resource:
 * Airflow 3's SimpleAuthManager table. Roles are ordered viewer < user < op < admin, and admin may do
 * everything. Views are read-only pages, so only their `read` applies.
 */
export const SIMPLE_AUTH_RULES: Readonly<Record<SimpleAuthResource, { read: SimpleAuthRole; write: SimpleAuthRole }>> = {
  dag: { read: 'viewer', write: 'user' },
  connection: { read: 'op', write: 'op' },
  pool: { read: 'viewer', write: 'op' },
  variable: { read: 'op', write: 'op' },
  asset: { read: 'viewer', write: 'op' },
  backfill: { read: 'viewer', write: 'op' },
  configuration: { read: 'viewer', write: 'op' },
  view: { read: 'viewer', write: 'viewer' },
};

export function isSimpleAuthRole(value: unknown): value is SimpleAuthRole {
  return typeof value === 'string' && (SIMPLE_AUTH_ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do `method` on `resource`; an unknown role may do nothing. */
export function roleAllows(role: string | undefined, resource: SimpleAuthResource, method: ResourceMethod): boolean {
  if (!isSimpleAuthRole(role)) return false;
  if (role === 'admin') return true;
  const rule = SIMPLE_AUTH_RULES[resource];
  const needed = resource === 'view' || method === 'GET' ? rule.read : rule.write;
  return SIMPLE_AUTH_ROLES.indexOf(role) >= SIMPLE_AUTH_ROLES.indexOf(needed);
}
