import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/**
 * The REST API function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. An unknown `UPDRAFT_*` variable is refused so that a typo never goes unnoticed.
 */
export const restApiEnvironmentSchema = z.strictObject({
  UPDRAFT_TABLE_NAME: z.string().min(1),
  /** Task logs, DAG sources and large XComs. */
  UPDRAFT_BUCKET: z.string().min(1),
  /** The Secrets Manager secret (id or ARN) that signs REST API tokens; without it `[api_auth] jwt_secret` must be set. */
  UPDRAFT_API_JWT_SECRET_ID: z.string().min(1).optional(),
});

export interface RestApiConfig {
  tableName: string;
  bucket: string;
  jwtSecretId: string | null;
}

export function loadRestApiConfig(env: Record<string, string | undefined>): RestApiConfig {
  const config = parseUpdraftEnvironment(restApiEnvironmentSchema, env, 'REST API');
  return { tableName: config.UPDRAFT_TABLE_NAME, bucket: config.UPDRAFT_BUCKET, jwtSecretId: config.UPDRAFT_API_JWT_SECRET_ID ?? null };
}
