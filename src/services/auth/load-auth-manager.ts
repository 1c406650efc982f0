import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { UpdraftConfig } from '../../core/config/updraft-config.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { UserStore } from '../../core/ports/user-store.ts';
import type { AuthManager } from './auth-manager.ts';
import { SimpleAuthManager } from './simple-auth-manager.ts';

export interface AuthManagerDeps {
  /** The simple auth manager's users (DynamoDbUserStore); custom managers get it too and may ignore it. */
  users: UserStore;
  clock: Clock;
  logger?: Logger;
  /**
   * The token secret when `[api_auth] jwt_secret` is unset: the deployment reads it from Secrets Manager
   * in AWS, local mode generates and keeps one. The configured value wins.
   */
  jwtSecret?: string;
  /** A DAG's tags, for users limited by tag (see SimpleAuthManagerOptions.dagTags). */
  dagTags?: (dagId: string) => Promise<readonly string[] | null>;
  /** Relative module paths of a custom auth manager resolve from here (default: the working directory). */
  baseDir?: string;
}

/** What a custom auth manager's constructor receives: the configuration and the deps. */
export interface AuthManagerContext extends AuthManagerDeps {
  config: UpdraftConfig;
}

/** Every method of AuthManager, checked on a custom one before it guards anything. */
const AUTH_MANAGER_METHODS = [
  'getUserFromToken',
  'generateToken',
  'authenticate',
  'isAuthorizedDag',
  'isAuthorizedConnection',
  'isAuthorizedPool',
  'isAuthorizedVariable',
  'isAuthorizedAsset',
  'isAuthorizedBackfill',
  'isAuthorizedConfiguration',
  'isAuthorizedView',
  'batchIsAuthorizedDag',
  'batchIsAuthorizedConnection',
  'batchIsAuthorizedPool',
  'batchIsAuthorizedVariable',
  'getAuthorizedDagIds',
] as const satisfies ReadonlyArray<keyof AuthManager>;

// Fails to compile when AuthManager gains a method this list does not check.
const listsEveryMethod: [Exclude<keyof AuthManager, (typeof AUTH_MANAGER_METHODS)[number]>] extends [never] ? true : never = true;
void listsEveryMethod;

const SETTING = '[core] auth_manager';
const CUSTOM_FORM = '"simple" or "<module>#<ExportName>", e.g. ./auth/my-auth-manager.ts#MyAuthManager';

/**
 * `core.auth_manager` → the auth manager (Airflow's `[core] auth_manager`): `simple` is the built-in
 * SimpleAuthManager; `module#Export` imports a class and constructs it with an AuthManagerContext.
 */
export async function loadAuthManager(config: UpdraftConfig, deps: AuthManagerDeps): Promise<AuthManager> {
  const setting = config.getString('core', 'auth_manager').trim();
  if (setting === 'simple') {
    const jwtSecret = config.getOptionalString('api_auth', 'jwt_secret') ?? deps.jwtSecret;
    if (!jwtSecret) {
      throw new ConfigError(
        '[api_auth] jwt_secret is not set: the REST API cannot sign its tokens. Set it (UPDRAFT__API_AUTH__JWT_SECRET) to a random ' +
          'string of at least 32 characters, e.g. the output of `openssl rand -base64 48`.',
      );
    }
    return new SimpleAuthManager({
      users: deps.users,
      clock: deps.clock,
      jwtSecret,
      jwtExpirationSeconds: config.getInteger('api_auth', 'jwt_expiration_time'),
      dagTags: deps.dagTags,
    });
  }
  return loadCustom(setting, { ...deps, config });
}

async function loadCustom(setting: string, context: AuthManagerContext): Promise<AuthManager> {
  const hash = setting.lastIndexOf('#');
  const modulePath = hash > 0 ? setting.slice(0, hash).trim() : '';
  const exportName = hash > 0 ? setting.slice(hash + 1).trim() : '';
  if (!modulePath || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new ConfigError(`${SETTING} is "${setting}"; write ${CUSTOM_FORM}.`);
  }
  const baseDir = context.baseDir ?? process.cwd();
  const local = modulePath.startsWith('.') || isAbsolute(modulePath);
  const specifier = local ? pathToFileURL(resolve(baseDir, modulePath)).href : modulePath;
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `${SETTING}: could not import "${modulePath}" (${(error as Error).message}). Paths are relative to ${baseDir}; ` +
        'check the path and that the module has no import error.',
      { cause: error },
    );
  }
  const exported = module[exportName];
  if (typeof exported !== 'function') {
    const names = Object.keys(module).join(', ') || 'none';
    throw new ConfigError(`${SETTING}: "${modulePath}" has no class "${exportName}" (its exports: ${names}).`);
  }
  let manager: unknown;
  try {
    manager = new (exported as new (context: AuthManagerContext) => unknown)(context);
  } catch (error) {
    throw new ConfigError(`${SETTING}: constructing ${exportName} from "${modulePath}" failed: ${(error as Error).message}`, { cause: error });
  }
  const missing = AUTH_MANAGER_METHODS.filter((method) => typeof (manager as Record<string, unknown> | null)?.[method] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError(
      `${SETTING}: ${exportName} from "${modulePath}" is not an auth manager (missing: ${missing.join(', ')}). ` +
        'Implement every method of AuthManager (src/services/auth/auth-manager.ts; docs/auth.md has an example).',
    );
  }
  return manager as AuthManager;
}
