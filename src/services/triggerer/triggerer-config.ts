import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/**
 * The triggerer function's configuration. Like the worker it gets no table name and no secret: it
 * reaches state only through the Execution API, with the per-attempt tokens the scheduler sends.
 */
export const triggererEnvironmentSchema = z
  .object({
    UPDRAFT_EXECUTION_API_URL: z.url(),
    /** Where the DAG bundles are (custom triggers are defined in them). */
    UPDRAFT_BUCKET: z.string().min(1),
    /** Time limit of one trigger poll in milliseconds (default 10000). */
    UPDRAFT_TRIGGER_POLL_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).optional(),
  })
  .strict();

export interface TriggererConfig {
  executionApiUrl: string;
  bucket: string;
  pollTimeoutMs: number | undefined;
}

export function loadTriggererConfig(env: Record<string, string | undefined>): TriggererConfig {
  const config = parseUpdraftEnvironment(triggererEnvironmentSchema, env, 'triggerer');
  return { executionApiUrl: config.UPDRAFT_EXECUTION_API_URL, bucket: config.UPDRAFT_BUCKET, pollTimeoutMs: config.UPDRAFT_TRIGGER_POLL_TIMEOUT_MS };
}
