import { z } from 'zod';
import { InfraConfigError } from './errors.ts';

/** What one deployment of Updraft may vary, read from CDK context (cdk.json or `-c key=value`). */
export interface StackConfig {
  /** Names the stack (`updraft-<stage>`) and tags every resource, so stages can share an account. */
  stage: string;
  /** Guards the metastore table against deletion; turn off only for throwaway stages. */
  deletionProtection: boolean;
  /** Days after which task logs under `logs/` expire from the bucket. */
  logRetentionDays: number;
}

export const STACK_CONFIG_DEFAULTS: StackConfig = { stage: 'dev', deletionProtection: true, logRetentionDays: 90 };

// `-c key=value` always arrives as a string while cdk.json can hold real booleans and numbers.
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const integerish = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1).max(36_500));

const schema = z.object({
  // Lower case because it becomes part of the CloudFormation stack name and of resource tags.
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 lower-case letters, digits or dashes, starting with a letter'),
  deletionProtection: booleanish,
  logRetentionDays: integerish,
});

/**
 * Validates the context keys the stack reads; other context (feature flags) is CDK's business.
 * `context` is a lookup so that both `app.node.tryGetContext` and a plain object can feed it.
 */
export function readStackConfig(context: (key: keyof StackConfig) => unknown): StackConfig {
  const raw = Object.fromEntries(
    (Object.keys(STACK_CONFIG_DEFAULTS) as (keyof StackConfig)[]).map((key) => [key, context(key) ?? STACK_CONFIG_DEFAULTS[key]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(raw[String(issue.path[0])])})`);
    throw new InfraConfigError(
      `Invalid CDK context for the Updraft stack: ${problems.join('; ')}. Fix the value in cdk.json or in the -c option.`,
    );
  }
  return parsed.data;
}
