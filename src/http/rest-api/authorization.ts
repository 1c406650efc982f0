import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AuthenticatedUser, AuthManager } from '../../services/auth/auth-manager.ts';
import type { Authorization } from './endpoint.ts';
import { RestApiHttpError } from './error-responses.ts';

/** The cookie the token is also set in for the UI (`POST /auth/token`), as Airflow 3 does. */
export const TOKEN_COOKIE = '_token';

/** The bearer token of a request: `Authorization: Bearer <token>`, else the `_token` cookie. */
export function requestToken(c: Context): string | null {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new RestApiHttpError(401, 'The Authorization header must be "Bearer <token>".', { 'WWW-Authenticate': 'Bearer' });
    return match[1]!;
  }
  return getCookie(c, TOKEN_COOKIE) ?? null;
}

/** The caller of a non-public route, or 401. */
export async function authenticate(c: Context, authManager: AuthManager): Promise<AuthenticatedUser> {
  const token = requestToken(c);
  if (!token) {
    throw new RestApiHttpError(401, 'Not authenticated: send a token from POST /auth/token as "Authorization: Bearer <token>".', {
      'WWW-Authenticate': 'Bearer',
    });
  }
  return authManager.getUserFromToken(token);
}

/** Checks what a route declared; 403 names what was refused. */
export async function authorize(
  authorization: Authorization,
  user: AuthenticatedUser,
  params: Record<string, string>,
  authManager: AuthManager,
): Promise<void> {
  let allowed: boolean;
  let what: string;
  switch (authorization.kind) {
    case 'public':
    case 'handler':
      return;
    case 'dag': {
      const dagId = authorization.dagIdParam ? params[authorization.dagIdParam] : undefined;
      allowed = await authManager.isAuthorizedDag({ method: authorization.method, user, accessEntity: authorization.accessEntity, dagId });
      what = `${authorization.method} on ${authorization.accessEntity ? `${authorization.accessEntity} of ` : ''}${dagId ? `DAG "${dagId}"` : 'DAGs'}`;
      break;
    }
    case 'view':
      allowed = await authManager.isAuthorizedView({ accessView: authorization.accessView, user });
      what = `the ${authorization.accessView} view`;
      break;
    default: {
      const id = authorization.idParam ? params[authorization.idParam] : undefined;
      const request = { method: authorization.method, user, id };
      const checks = {
        connection: () => authManager.isAuthorizedConnection(request),
        pool: () => authManager.isAuthorizedPool(request),
        variable: () => authManager.isAuthorizedVariable(request),
        asset: () => authManager.isAuthorizedAsset(request),
        backfill: () => authManager.isAuthorizedBackfill(request),
        configuration: () => authManager.isAuthorizedConfiguration(request),
      } as const;
      allowed = await checks[authorization.kind]();
      what = `${authorization.method} on ${authorization.kind}${id ? ` "${id}"` : 's'}`;
    }
  }
  if (!allowed) throw new RestApiHttpError(403, `Forbidden: user "${user.name}" may not ${what}.`);
}
