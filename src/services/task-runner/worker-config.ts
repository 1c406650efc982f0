import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';

/**
 * The worker function's configuration, from `UPDRAFT_*` environment variables, validated once at
 * start-up. The worker gets no table name: it reaches state only through the Execution API.
 */
const schema = z
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
  const ours = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('UPDRAFT_')));
  const result = schema.safeParse(ours);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown variable${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (remove or fix the name)`;
      }
      return `${issue.path.map(String).join('.') || '(environment)'}: ${issue.message}`;
    });
    throw new ConfigError(
      `The worker configuration is not valid: ${problems.join('; ')}. Known variables: ${Object.keys(schema.shape).join(', ')}.`,
    );
  }
  return { executionApiUrl: result.data.UPDRAFT_EXECUTION_API_URL, bucket: result.data.UPDRAFT_BUCKET };
}
