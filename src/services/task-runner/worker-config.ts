import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/**
 * The worker function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. The worker gets no table name: it reaches state only through the Execution API.
 */
export const workerEnvironmentSchema = z
  .object({
    UPDRAFT_EXECUTION_API_URL: z.url(),
    UPDRAFT_BUCKET: z.string().min(1),
  })
  .strict();

export interface WorkerConfig {
  executionApiUrl: string;
  bucket: string;
}

export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const config = parseUpdraftEnvironment(workerEnvironmentSchema, env, 'worker');
  return { executionApiUrl: config.UPDRAFT_EXECUTION_API_URL, bucket: config.UPDRAFT_BUCKET };
}
