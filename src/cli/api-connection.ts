import type { UpdraftConfig } from '../core/config/updraft-config.ts';
import { systemClock, type Clock } from '../core/ports/clock.ts';
import { silentLogger } from '../core/ports/logger.ts';
import type { Metastore } from '../core/ports/metastore.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import type { PoolStore } from '../core/ports/pool-store.ts';
import type { BackfillStore } from '../core/ports/backfill-store.ts';
import type { UserRecord, UserStore } from '../core/ports/user-store.ts';
import { createRestApiApp } from '../http/rest-api/app.ts';
import type { Endpoint } from '../http/rest-api/endpoint.ts';
import { UPDRAFT_VERSION } from '../http/rest-api/package-version.ts';
import { SimpleAuthManager } from '../services/auth/simple-auth-manager.ts';
import { loadUpdraftConfig } from '../local/config-file.ts';
import { loadLocalConfig } from '../local/local-config.ts';
import { openLocalState } from '../local/local-state.ts';
import { loadRestApiJwtSecret } from '../local/rest-api-secret.ts';
import { CliUsageError } from './output.ts';
import { RestClient, type ApiCredentials, type FetchFunction } from './rest-client.ts';

/** The global options that choose where commands go (`updraft --api-url ... --token ... <command>`). */
export interface ApiTargetOptions {
  apiUrl?: string;
  token?: string;
}

export const API_ENV = {
  url: 'UPDRAFT_API_URL',
  token: 'UPDRAFT_API_TOKEN',
  username: 'UPDRAFT_API_USERNAME',
  password: 'UPDRAFT_API_PASSWORD',
} as const;

/** A REST API the commands talk to, and what to release when they are done. */
export interface ApiConnection {
  client: RestClient;
  mode: 'remote' | 'local';
  /** The API URL, or the local state folder. */
  location: string;
  /** How the CLI authenticates, for `updraft info` (never the secret itself). */
  auth: string;
  /** Local mode: whether a running `updraft standalone` will act on changes (its scheduler runs them). */
  standaloneRunning: boolean;
  close(): Promise<void>;
}

export type ApiTarget =
  | { kind: 'remote'; url: string; credentials: ApiCredentials }
  | { kind: 'local' };

/** Flags win over environment variables; no URL at all means local mode. */
export function resolveApiTarget(options: ApiTargetOptions, env: Record<string, string | undefined> = process.env): ApiTarget {
  const url = nonEmpty(options.apiUrl) ?? nonEmpty(env[API_ENV.url]);
  const token = nonEmpty(options.token) ?? nonEmpty(env[API_ENV.token]);
  if (url === undefined) {
    if (nonEmpty(options.token) !== undefined) {
      throw new CliUsageError(`--token needs --api-url (or ${API_ENV.url}): local mode needs no token.`);
    }
    return { kind: 'local' };
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CliUsageError(`--api-url (or ${API_ENV.url}) must be an http(s) URL such as https://updraft.example.com, not "${url}".`);
  }
  if (token !== undefined) return { kind: 'remote', url, credentials: { token } };
  const username = nonEmpty(env[API_ENV.username]);
  const password = env[API_ENV.password];
  if (username !== undefined && password !== undefined) return { kind: 'remote', url, credentials: { username, password } };
  if (username !== undefined) throw new CliUsageError(`${API_ENV.username} is set but ${API_ENV.password} is not: set both to log in.`);
  return { kind: 'remote', url, credentials: null };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function remoteApiConnection(url: string, credentials: ApiCredentials, fetchImpl: FetchFunction = (request) => fetch(request)): ApiConnection {
  const client = new RestClient({ baseUrl: url, fetch: fetchImpl, credentials, describe: url });
  const auth =
    credentials === null ? 'none (no token or user given)' : 'token' in credentials ? 'bearer token' : `user "${credentials.username}" (password login)`;
  return { client, mode: 'remote', location: url, auth, standaloneRunning: false, close: async () => {} };
}

/** The name of the synthetic admin the CLI acts as in local mode; it is never stored. */
export const LOCAL_ADMIN_USERNAME = 'local-cli-admin';

export interface LocalApiDeps {
  metastore: Metastore;
  objectStore: ObjectStore;
  pools: PoolStore;
  backfills?: BackfillStore;
  users: UserStore;
  jwtSecret: string;
  home: string;
  standaloneRunning: boolean;
  clock?: Clock;
  /** The configuration this process sees, for get_config (local mode's REST API is this process). */
  config?: UpdraftConfig;
  /** Default: every endpoint (tests serve the groups that exist). */
  endpoints?: readonly Endpoint[];
  close?: () => Promise<void>;
}

/**
 * Local mode: the REST API app built in-process over local state, called without a network. The CLI acts
 * as a synthetic admin whose token it mints itself: whoever can read `.updraft/` can change the state
 * anyway, so local mode trusts them as the state files do.
 */
export async function localApiConnection(deps: LocalApiDeps): Promise<ApiConnection> {
  const clock = deps.clock ?? systemClock;
  const users = withLocalAdmin(deps.users, clock);
  const authManager = new SimpleAuthManager({ users, clock, jwtSecret: deps.jwtSecret });
  const app = createRestApiApp({
    metastore: deps.metastore,
    objectStore: deps.objectStore,
    pools: deps.pools,
    backfills: deps.backfills,
    authManager,
    clock,
    logger: silentLogger,
    version: UPDRAFT_VERSION,
    config: deps.config,
    endpoints: deps.endpoints,
  });
  const token = await authManager.generateToken({ id: LOCAL_ADMIN_USERNAME, name: LOCAL_ADMIN_USERNAME, role: 'admin' });
  const describe = `local mode (${deps.home})`;
  const client = new RestClient({ baseUrl: 'http://updraft.local', fetch: async (request) => app.fetch(request), credentials: { token }, describe });
  return {
    client,
    mode: 'local',
    location: deps.home,
    auth: 'local admin (whoever can read the state folder)',
    standaloneRunning: deps.standaloneRunning,
    close: deps.close ?? (async () => {}),
  };
}

/** The user store as the local REST app sees it: the stored users plus the CLI's synthetic admin. */
function withLocalAdmin(users: UserStore, clock: Clock): UserStore {
  const admin: UserRecord = { username: LOCAL_ADMIN_USERNAME, role: 'admin', passwordHash: '', dagIds: null, dagTags: null, createdAt: clock.now() };
  return new Proxy(users, {
    get(target, property, receiver) {
      if (property === 'getUser') {
        return async (username: string) => (username === LOCAL_ADMIN_USERNAME ? admin : target.getUser(username));
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Opens the connection the options and environment ask for: a deployed API, or local mode's state. */
export async function openApiConnection(
  options: ApiTargetOptions,
  env: Record<string, string | undefined> = process.env,
  config: () => UpdraftConfig = () => loadUpdraftConfig(),
): Promise<ApiConnection> {
  const target = resolveApiTarget(options, env);
  if (target.kind === 'remote') return remoteApiConnection(target.url, target.credentials);
  const { home } = loadLocalConfig();
  const updraftConfig = config();
  const jwtSecret = updraftConfig.getOptionalString('api_auth', 'jwt_secret') ?? loadRestApiJwtSecret(home);
  const state = await openLocalState(home);
  try {
    return await localApiConnection({
      metastore: state.metastore,
      objectStore: state.objectStore,
      pools: state.pools,
      backfills: state.backfills,
      users: state.users,
      jwtSecret,
      home,
      standaloneRunning: state.standaloneRunning,
      config: updraftConfig,
      close: () => state.close(),
    });
  } catch (error) {
    await state.close();
    throw error;
  }
}
