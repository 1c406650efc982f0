/**
 * What a custom auth manager imports (`updraft/auth`): the interface, its request types, the error that
 * answers 401, and the context the loader constructs it with. docs/auth.md has an example.
 */
export type {
  AccessView,
  AuthenticatedUser,
  AuthManager,
  DagAccessEntity,
  DagRequest,
  ResourceMethod,
  ResourceRequest,
} from './auth-manager.ts';
export { AuthenticationError } from './errors.ts';
export { loadAuthManager, type AuthManagerContext, type AuthManagerDeps } from './load-auth-manager.ts';
export { SimpleAuthManager, DEFAULT_JWT_EXPIRATION_SECONDS, type SimpleAuthManagerOptions } from './simple-auth-manager.ts';
export { ensureAdminUser } from './bootstrap-admin.ts';
export { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
