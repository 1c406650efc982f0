import type { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Reads a function's `UPDRAFT_*` environment variables through its zod schema, once at start-up. The
 * schema must be strict: an unknown `UPDRAFT_*` variable is refused, so a typo never passes silently.
 * Other variables (AWS_*, PATH) are not looked at, nor are `UPDRAFT__<SECTION>__<KEY>` ones: those are
 * Updraft's layered configuration (airflow.cfg-style sections), read by `UpdraftConfig`.
 */
export function parseUpdraftEnvironment<Schema extends z.ZodObject>(
  schema: Schema,
  env: Record<string, string | undefined>,
  what: string,
): z.infer<Schema> {
  const ours = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('UPDRAFT_') && !key.startsWith('UPDRAFT__')));
  const result = schema.safeParse(ours);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown variable${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (remove or fix the name)`;
    }
    return `${issue.path.map(String).join('.') || '(environment)'}: ${issue.message}`;
  });
  throw new ConfigError(
    `The ${what} configuration is not valid: ${problems.join('; ')}. Known variables: ${Object.keys(schema.shape).join(', ')}.`,
  );
}
