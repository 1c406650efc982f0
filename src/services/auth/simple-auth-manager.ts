import type { Clock } from '../../core/ports/clock.ts';
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';
import type { AccessView, AuthenticatedUser, AuthManager, DagRequest, ResourceMethod, ResourceRequest } from './auth-manager.ts';
import { AuthenticationError } from './errors.ts';
import { ApiTokenCodec } from './jwt.ts';
import { UNMATCHABLE_HASH, verifyPassword } from './passwords.ts';
import { roleAllows, type SimpleAuthResource } from './simple-auth-roles.ts';

/** Airflow's default `[api_auth] jwt_expiration_time`: one day. */
export const DEFAULT_JWT_EXPIRATION_SECONDS = 86_400;

export interface SimpleAuthManagerOptions {
  users: UserStore;
  /** Signs the REST API's tokens; at least 32 characters (`[api_auth] jwt_secret`). */
  jwtSecret: string;
  clock: Clock;
  /** Seconds a token stays valid (`[api_auth] jwt_expiration_time`). */
  jwtExpirationSeconds?: number;
  /**
   * The tags of a DAG, for users limited by `dagTags` when a request names one DAG. Absent, such users
   * reach only the DAGs listed in their `dagIds`.
   */
  dagTags?: (dagId: string) => Promise<readonly string[] | null>;
}

/**
 * Airflow 3's SimpleAuthManager on a user store: users with a role (viewer, user, op, admin), passwords
 * hashed with scrypt, HS256 tokens. Beyond Airflow, a user may be limited to some DAGs (by id or tag).
 * Each check reads the user as stored when the token was presented, so a role change or a deleted user
 * takes effect on the next request, not when the token expires.
 */
export class SimpleAuthManager implements AuthManager {
  private readonly codec: ApiTokenCodec;
  /** The stored user behind each AuthenticatedUser this manager handed out, so checks need no extra read. */
  private readonly records = new WeakMap<AuthenticatedUser, UserRecord>();

  constructor(private readonly options: SimpleAuthManagerOptions) {
    this.codec = new ApiTokenCodec(options.jwtSecret, options.clock, options.jwtExpirationSeconds ?? DEFAULT_JWT_EXPIRATION_SECONDS);
  }

  async getUserFromToken(token: string): Promise<AuthenticatedUser> {
    const claims = this.codec.verify(token);
    const record = await this.options.users.getUser(claims.sub);
    if (!record) {
      throw new AuthenticationError(`User "${claims.sub}" no longer exists. Log in as an existing user, or ask an admin to create it (updraft users create).`);
    }
    return this.remember(record);
  }

  async generateToken(user: AuthenticatedUser): Promise<string> {
    const record = await this.recordOf(user);
    if (!record) throw new AuthenticationError(`User "${user.id}" does not exist; create it first (updraft users create).`);
    return this.codec.issue(record.username, record.role);
  }

  async authenticate(credentials: { username: string; password: string }): Promise<AuthenticatedUser> {
    const record = await this.options.users.getUser(credentials.username);
    // Verified even for an unknown user, so the answer takes as long and does not reveal which names exist.
    const matches = await verifyPassword(credentials.password, record?.passwordHash ?? UNMATCHABLE_HASH);
    if (!record || !matches) {
      throw new AuthenticationError('Invalid credentials: the username or the password is wrong. Check both; an admin can reset a password.');
    }
    return this.remember(record);
  }

  async isAuthorizedDag(request: DagRequest): Promise<boolean> {
    const record = await this.recordOf(request.user);
    if (!record || !roleAllows(record.role, 'dag', request.method)) return false;
    if (request.dagId === undefined || !isLimited(record)) return true;
    if (record.dagIds?.includes(request.dagId)) return true;
    if (!record.dagTags || !this.options.dagTags) return false;
    const tags = await this.options.dagTags(request.dagId);
    return tags !== null && tags.some((tag) => record.dagTags!.includes(tag));
  }

  isAuthorizedConnection(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'connection', request.method);
  }
  isAuthorizedPool(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'pool', request.method);
  }
  isAuthorizedVariable(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'variable', request.method);
  }
  isAuthorizedAsset(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'asset', request.method);
  }
  isAuthorizedBackfill(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'backfill', request.method);
  }
  isAuthorizedConfiguration(request: ResourceRequest): Promise<boolean> {
    return this.byRole(request.user, 'configuration', request.method);
  }
  isAuthorizedView(request: { accessView: AccessView; user: AuthenticatedUser }): Promise<boolean> {
    return this.byRole(request.user, 'view', 'GET');
  }

  async batchIsAuthorizedDag(requests: readonly DagRequest[]): Promise<boolean> {
    for (const request of requests) if (!(await this.isAuthorizedDag(request))) return false;
    return true;
  }
  batchIsAuthorizedConnection(requests: readonly ResourceRequest[]): Promise<boolean> {
    return this.all(requests, (request) => this.isAuthorizedConnection(request));
  }
  batchIsAuthorizedPool(requests: readonly ResourceRequest[]): Promise<boolean> {
    return this.all(requests, (request) => this.isAuthorizedPool(request));
  }
  batchIsAuthorizedVariable(requests: readonly ResourceRequest[]): Promise<boolean> {
    return this.all(requests, (request) => this.isAuthorizedVariable(request));
  }

  async getAuthorizedDagIds(request: {
    user: AuthenticatedUser;
    method: ResourceMethod;
    dagIds: readonly string[];
    tagsByDag: ReadonlyMap<string, readonly string[]>;
  }): Promise<Set<string>> {
    const record = await this.recordOf(request.user);
    if (!record || !roleAllows(record.role, 'dag', request.method)) return new Set();
    if (!isLimited(record)) return new Set(request.dagIds);
    return new Set(
      request.dagIds.filter(
        (dagId) => record.dagIds?.includes(dagId) || (request.tagsByDag.get(dagId) ?? []).some((tag) => record.dagTags?.includes(tag)),
      ),
    );
  }

  private remember(record: UserRecord): AuthenticatedUser {
    const user: AuthenticatedUser = { id: record.username, name: record.username, role: record.role };
    this.records.set(user, record);
    return user;
  }

  /** The stored user; read from the store for users this manager did not create (null: no such user). */
  private async recordOf(user: AuthenticatedUser): Promise<UserRecord | null> {
    return this.records.get(user) ?? (await this.options.users.getUser(user.id));
  }

  private async byRole(user: AuthenticatedUser, resource: SimpleAuthResource, method: ResourceMethod): Promise<boolean> {
    const record = await this.recordOf(user);
    return record !== null && roleAllows(record.role, resource, method);
  }

  private async all(requests: readonly ResourceRequest[], check: (request: ResourceRequest) => Promise<boolean>): Promise<boolean> {
    for (const request of requests) if (!(await check(request))) return false;
    return true;
  }
}

/** A user with `dagIds` or `dagTags` set reaches only those DAGs; with neither, every DAG. */
function isLimited(record: UserRecord): boolean {
  return record.dagIds !== null || record.dagTags !== null;
}
