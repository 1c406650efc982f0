import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/**
 * The REST API function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. An unknown `UPDRAFT_*` variable is refused so that a typo never goes unnoticed.
 */
export const restApiEnvironmentSchema = z.strictObject({
  UPDRAFT_TABLE_NAME: z.string().min(1),
});

export interface RestApiConfig {
  tableName: string;
}

export function loadRestApiConfig(env: Record<string, string | undefined>): RestApiConfig {
  const config = parseUpdraftEnvironment(restApiEnvironmentSchema, env, 'REST API');
  return { tableName: config.UPDRAFT_TABLE_NAME };
}
