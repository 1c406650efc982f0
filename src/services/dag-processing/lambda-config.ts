import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';

/** The DAG processor function's `UPDRAFT_*` environment (the CDK stack sets exactly these). */
export const dagProcessorEnvironmentSchema = z.strictObject({
  UPDRAFT_TABLE_NAME: z.string().min(1),
  UPDRAFT_BUCKET: z.string().min(1),
  UPDRAFT_PARSE_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type DagProcessorConfig = z.infer<typeof dagProcessorEnvironmentSchema>;

export function loadDagProcessorConfig(env: Record<string, string | undefined>): DagProcessorConfig {
  return parseUpdraftEnvironment(dagProcessorEnvironmentSchema, env, 'DAG processor');
}
