import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/**
 * The Execution API function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. An unknown `UPDRAFT_*` variable is refused so that a typo never goes unnoticed.
 */
const schema = z
  .object({
    UPDRAFT_TABLE_NAME: z.string().min(1),
    UPDRAFT_BUCKET: z.string().min(1),
    // Issue #3 moves the key to Secrets Manager; until then it comes from the environment.
    UPDRAFT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
    /** The task queue the fast path sends ready tasks to; without it the scheduler's tick queues them. */
    UPDRAFT_TASK_QUEUE_URL: z.url().optional(),
    UPDRAFT_HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  })
  .strict();

export interface ExecutionApiConfig {
  tableName: string;
  bucket: string;
  tokenSecret: string;
  taskQueueUrl: string | null;
  heartbeatIntervalSeconds: number | undefined;
}

export function loadExecutionApiConfig(env: Record<string, string | undefined>): ExecutionApiConfig {
  const config = parseUpdraftEnvironment(schema, env, 'Execution API');
  return {
    tableName: config.UPDRAFT_TABLE_NAME,
    bucket: config.UPDRAFT_BUCKET,
    tokenSecret: config.UPDRAFT_TOKEN_SECRET,
    taskQueueUrl: config.UPDRAFT_TASK_QUEUE_URL ?? null,
    heartbeatIntervalSeconds: config.UPDRAFT_HEARTBEAT_INTERVAL_SECONDS,
  };
}
