import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { z } from 'zod';
import { TOKEN_COOKIE } from '../authorization.ts';
import type { Endpoint } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';

/** Airflow's LoginBody. */
export const loginBodySchema = z.object({
  username: z.string(),
  password: z.string(),
});

/** Airflow's LoginResponse. */
export const loginResponseSchema = z.object({ access_token: z.string() });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** Behind API Gateway, a load balancer or CloudFront, the client's scheme arrives in X-Forwarded-Proto. */
function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === 'https';
  return new URL(c.req.url).protocol === 'https:';
}

/**
 * Logging in. Airflow 3 serves this from the auth manager's own app, mounted at `/auth`, not under
 * `/api/v2`; Updraft keeps the path so Airflow clients and scripts work unchanged.
 */
export const AUTH_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'create_token',
    method: 'post',
    path: '/auth/token',
    tag: 'SimpleAuthManagerLogin',
    summary: 'Create Token',
    description:
      'Exchanges a username and password for a JWT. Send it as "Authorization: Bearer <access_token>"; it is also set in ' +
      'the `_token` cookie (SameSite=Lax, Secure over https) for the web UI. It expires after `[api_auth] jwt_expiration_time` ' +
      'seconds (a day by default). Wrong credentials answer 401. Only JSON bodies are accepted (Airflow also takes a form).',
    authorization: { kind: 'public' },
    body: loginBodySchema,
    success: { status: 201, description: 'The token.', schema: loginResponseSchema },
    errors: [400, 422],
    handle: async ({ c, body, authManager }) => {
      const { username, password } = body as z.infer<typeof loginBodySchema>;
      if (username === '' || password === '') {
        throw new RestApiHttpError(400, 'Username and password must be provided: send {"username": "...", "password": "..."}.');
      }
      const user = await authManager.authenticate({ username, password });
      const token = await authManager.generateToken(user);
      // Readable by the UI's script (not HttpOnly), as Airflow's UI reads it; Lax keeps it off cross-site POSTs.
      setCookie(c, TOKEN_COOKIE, token, { path: '/', sameSite: 'Lax', secure: isHttps(c), httpOnly: false });
      return c.json({ access_token: token } satisfies LoginResponse, 201);
    },
  },
];
