/**
 * The auth manager: who a REST API caller is, and what they may do. Modelled on Airflow 3's
 * BaseAuthManager (airflow.api_fastapi.auth.managers.base_auth_manager); method names are camelCase and
 * the argument objects carry what Airflow passes as keyword arguments. `core.auth_manager` selects the
 * implementation: the built-in `simple`, or `module#Export` for a custom one.
 */

/** Airflow's ResourceMethod: what the caller wants to do with the resource. */
export type ResourceMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Airflow's DagAccessEntity: the part of a DAG a request touches (absent: the DAG itself). */
export type DagAccessEntity =
  | 'AUDIT_LOG'
  | 'CODE'
  | 'DEPENDENCIES'
  | 'RUN'
  | 'TASK'
  | 'TASK_INSTANCE'
  | 'TASK_LOGS'
  | 'VERSION'
  | 'WARNING'
  | 'XCOM';

/** Airflow's AccessView: pages and endpoints that are about no single resource. */
export type AccessView = 'CLUSTER_ACTIVITY' | 'DOCS' | 'IMPORT_ERRORS' | 'JOBS' | 'PLUGINS' | 'PROVIDERS' | 'TRIGGERS' | 'WEBSITE';

/** The authenticated caller, as the token says. */
export interface AuthenticatedUser {
  /** Stable id (the user name for the simple auth manager). */
  id: string;
  name: string;
  /** The simple auth manager's role; custom managers may leave it undefined. */
  role?: string;
}

export interface DagRequest {
  method: ResourceMethod;
  user: AuthenticatedUser;
  accessEntity?: DagAccessEntity;
  /** The DAG concerned; absent for "any DAG" (lists, then filtered with getAuthorizedDagIds). */
  dagId?: string;
}

export interface ResourceRequest {
  method: ResourceMethod;
  user: AuthenticatedUser;
  /** The connection id, pool name, variable key, asset URI or configuration section concerned, if one. */
  id?: string;
}

export interface AuthManager {
  /** Checks a bearer token and returns its user; throws AuthenticationError when it is missing, bad or expired. */
  getUserFromToken(token: string): Promise<AuthenticatedUser>;
  /** Issues a token for a user (what `POST /auth/token` returns). */
  generateToken(user: AuthenticatedUser): Promise<string>;
  /** Checks credentials (`POST /auth/token`); throws AuthenticationError when they are wrong. */
  authenticate(credentials: { username: string; password: string }): Promise<AuthenticatedUser>;

  isAuthorizedDag(request: DagRequest): Promise<boolean>;
  isAuthorizedConnection(request: ResourceRequest): Promise<boolean>;
  isAuthorizedPool(request: ResourceRequest): Promise<boolean>;
  isAuthorizedVariable(request: ResourceRequest): Promise<boolean>;
  isAuthorizedAsset(request: ResourceRequest): Promise<boolean>;
  isAuthorizedBackfill(request: ResourceRequest): Promise<boolean>;
  isAuthorizedConfiguration(request: ResourceRequest): Promise<boolean>;
  isAuthorizedView(request: { accessView: AccessView; user: AuthenticatedUser }): Promise<boolean>;

  /** True when every request is authorized (Airflow's batch_is_authorized_*). */
  batchIsAuthorizedDag(requests: readonly DagRequest[]): Promise<boolean>;
  batchIsAuthorizedConnection(requests: readonly ResourceRequest[]): Promise<boolean>;
  batchIsAuthorizedPool(requests: readonly ResourceRequest[]): Promise<boolean>;
  batchIsAuthorizedVariable(requests: readonly ResourceRequest[]): Promise<boolean>;

  /** The DAGs a user may act on with `method`, to filter lists in one query instead of one check per DAG. */
  getAuthorizedDagIds(request: { user: AuthenticatedUser; method: ResourceMethod; dagIds: readonly string[]; tagsByDag: ReadonlyMap<string, readonly string[]> }): Promise<Set<string>>;
}
