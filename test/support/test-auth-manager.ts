import type { AuthenticatedUser, AuthManager, DagRequest, ResourceRequest } from '../../src/services/auth/auth-manager.ts';
import { AuthenticationError } from '../../src/services/auth/errors.ts';

/**
 * An auth manager for endpoint tests: the token `user:<name>` authenticates as <name>; every check is
 * allowed unless `deny` says otherwise. Each check is recorded, so a test can assert what an endpoint asked.
 * The simple auth manager has its own tests; endpoint tests use this one to test handlers, and a denying
 * rule to test that the endpoint is guarded.
 */
export class TestAuthManager implements AuthManager {
  readonly checks: Array<{ kind: string; request: unknown }> = [];

  constructor(private readonly deny: (kind: string, request: DagRequest | ResourceRequest | { accessView: string }) => boolean = () => false) {}

  /** Headers that authenticate as `name`. */
  static headers(name = 'tester'): Record<string, string> {
    return { Authorization: `Bearer user:${name}` };
  }

  async getUserFromToken(token: string): Promise<AuthenticatedUser> {
    if (!token.startsWith('user:')) throw new AuthenticationError('Invalid token.');
    const name = token.slice('user:'.length);
    return { id: name, name, role: 'admin' };
  }
  async generateToken(user: AuthenticatedUser): Promise<string> {
    return `user:${user.name}`;
  }
  async authenticate(credentials: { username: string; password: string }): Promise<AuthenticatedUser> {
    if (credentials.password !== 'right') throw new AuthenticationError('Invalid username or password.');
    return { id: credentials.username, name: credentials.username, role: 'admin' };
  }

  private check(kind: string, request: DagRequest | ResourceRequest | { accessView: string; user: AuthenticatedUser }): Promise<boolean> {
    this.checks.push({ kind, request });
    return Promise.resolve(!this.deny(kind, request));
  }

  isAuthorizedDag(request: DagRequest) {
    return this.check('dag', request);
  }
  isAuthorizedConnection(request: ResourceRequest) {
    return this.check('connection', request);
  }
  isAuthorizedPool(request: ResourceRequest) {
    return this.check('pool', request);
  }
  isAuthorizedVariable(request: ResourceRequest) {
    return this.check('variable', request);
  }
  isAuthorizedAsset(request: ResourceRequest) {
    return this.check('asset', request);
  }
  isAuthorizedBackfill(request: ResourceRequest) {
    return this.check('backfill', request);
  }
  isAuthorizedConfiguration(request: ResourceRequest) {
    return this.check('configuration', request);
  }
  isAuthorizedView(request: { accessView: 'CLUSTER_ACTIVITY' | 'DOCS' | 'IMPORT_ERRORS' | 'JOBS' | 'PLUGINS' | 'PROVIDERS' | 'TRIGGERS' | 'WEBSITE'; user: AuthenticatedUser }) {
    return this.check('view', request);
  }
  async batchIsAuthorizedDag(requests: readonly DagRequest[]) {
    for (const request of requests) if (!(await this.isAuthorizedDag(request))) return false;
    return true;
  }
  async batchIsAuthorizedConnection(requests: readonly ResourceRequest[]) {
    for (const request of requests) if (!(await this.isAuthorizedConnection(request))) return false;
    return true;
  }
  async batchIsAuthorizedPool(requests: readonly ResourceRequest[]) {
    for (const request of requests) if (!(await this.isAuthorizedPool(request))) return false;
    return true;
  }
  async batchIsAuthorizedVariable(requests: readonly ResourceRequest[]) {
    for (const request of requests) if (!(await this.isAuthorizedVariable(request))) return false;
    return true;
  }
  async getAuthorizedDagIds(request: { user: AuthenticatedUser; method: DagRequest['method']; dagIds: readonly string[] }): Promise<Set<string>> {
    const allowed = new Set<string>();
    for (const dagId of request.dagIds) if (await this.isAuthorizedDag({ method: request.method, user: request.user, dagId })) allowed.add(dagId);
    return allowed;
  }
}
