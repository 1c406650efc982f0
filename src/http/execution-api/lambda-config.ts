import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';
import { TOKEN_KEY_ENV_FIELDS, tokenKeySourceFrom, type TokenKeySource } from '../../core/token-key-source.ts';

/**
 * The Execution API function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. An unknown `UPDRAFT_*` variable is refused so that a typo never goes unnoticed.
 */
export const executionApiEnvironmentSchema = z
  .object({
    UPDRAFT_TABLE_NAME: z.string().min(1),
    UPDRAFT_BUCKET: z.string().min(1),
    ...TOKEN_KEY_ENV_FIELDS,
    /** Where variables and connections are looked up in Secrets Manager (Airflow's prefixes, ours by default). */
    UPDRAFT_SECRETS_CONNECTIONS_PREFIX: z.string().optional(),
    UPDRAFT_SECRETS_VARIABLES_PREFIX: z.string().optional(),
    UPDRAFT_SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).optional(),
    /** The task queue the fast path sends ready tasks to; without it the scheduler's tick queues them. */
    UPDRAFT_TASK_QUEUE_URL: z.url().optional(),
    /** Its own URL, which `fargate` containers the fast path starts are told. */
    UPDRAFT_EXECUTION_API_URL: z.url().optional(),
    UPDRAFT_HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  })
  .strict();

export interface ExecutionApiConfig {
  tableName: string;
  bucket: string;
  tokenKey: TokenKeySource;
  secretsManager: { connectionsPrefix: string; variablesPrefix: string; cacheTtlSeconds: number };
  taskQueueUrl: string | null;
  executionApiUrl: string | null;
  heartbeatIntervalSeconds: number | undefined;
}

export function loadExecutionApiConfig(env: Record<string, string | undefined>): ExecutionApiConfig {
  const config = parseUpdraftEnvironment(executionApiEnvironmentSchema, env, 'Execution API');
  return {
    tableName: config.UPDRAFT_TABLE_NAME,
    bucket: config.UPDRAFT_BUCKET,
    tokenKey: tokenKeySourceFrom(config, 'Execution API'),
    secretsManager: {
      connectionsPrefix: config.UPDRAFT_SECRETS_CONNECTIONS_PREFIX ?? 'updraft/connections',
      variablesPrefix: config.UPDRAFT_SECRETS_VARIABLES_PREFIX ?? 'updraft/variables',
      cacheTtlSeconds: config.UPDRAFT_SECRETS_CACHE_TTL_SECONDS ?? 300,
    },
    taskQueueUrl: config.UPDRAFT_TASK_QUEUE_URL ?? null,
    executionApiUrl: config.UPDRAFT_EXECUTION_API_URL ?? null,
    heartbeatIntervalSeconds: config.UPDRAFT_HEARTBEAT_INTERVAL_SECONDS,
  };
}
