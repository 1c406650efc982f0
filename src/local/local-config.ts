import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { localTickIntervalMs } from './local-event-routes.ts';

/**
 * Local mode's configuration: command-line flags win over `UPDRAFT_*` environment variables, which win
 * over defaults. Validated once; an unknown `UPDRAFT_*` variable is an error, so a typo never passes
 * silently.
 */
export const LOCAL_ENV_KEYS = {
  dagsFolder: 'UPDRAFT_DAGS_FOLDER',
  home: 'UPDRAFT_HOME',
  workers: 'UPDRAFT_WORKERS',
  executionApiPort: 'UPDRAFT_EXECUTION_API_PORT',
  restApiPort: 'UPDRAFT_REST_API_PORT',
  tickIntervalMs: 'UPDRAFT_TICK_INTERVAL_MS',
  logLevel: 'UPDRAFT_LOG_LEVEL',
} as const;

/** Variables read by other parts of Updraft (or by DAGs) that local mode lets through. */
// UPDRAFT__<SECTION>__<KEY> and UPDRAFT_CONFIG_FILE belong to the layered configuration (UpdraftConfig).
const OTHER_KNOWN_PREFIXES = ['UPDRAFT_CONN_', 'UPDRAFT_VAR_', 'UPDRAFT_API_', 'UPDRAFT_BUCKET', 'UPDRAFT__', 'UPDRAFT_CONFIG_FILE'];

const localConfigSchema = z
  .object({
    dagsFolder: z.string().min(1),
    home: z.string().min(1),
    workers: z.coerce.number().int().min(1).max(64),
    executionApiPort: z.coerce.number().int().min(0).max(65535),
    restApiPort: z.coerce.number().int().min(0).max(65535),
    tickIntervalMs: z.coerce.number().int().min(50).max(60_000),
    logLevel: z.enum(['debug', 'info']),
  })
  .strict();

export type LocalConfig = z.infer<typeof localConfigSchema>;

export const LOCAL_DEFAULTS: LocalConfig = {
  dagsFolder: 'dags',
  home: '.updraft',
  workers: 2,
  executionApiPort: 0,
  restApiPort: 0,
  // The scheduler's schedule route says how often local mode ticks.
  tickIntervalMs: localTickIntervalMs(),
  logLevel: 'info',
};

export function loadLocalConfig(
  flags: Partial<Record<keyof LocalConfig, string | number | undefined>> = {},
  env: NodeJS.ProcessEnv = process.env,
): LocalConfig {
  const known = new Set<string>(Object.values(LOCAL_ENV_KEYS));
  const unknown = Object.keys(env).filter(
    (key) => key.startsWith('UPDRAFT_') && !known.has(key) && !OTHER_KNOWN_PREFIXES.some((p) => key.startsWith(p)),
  );
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown environment variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. ` +
        `Local mode reads ${[...known].join(', ')}; remove or rename the others.`,
    );
  }
  const merged: Record<string, unknown> = { ...LOCAL_DEFAULTS };
  for (const [field, envKey] of Object.entries(LOCAL_ENV_KEYS)) {
    // An empty flag counts as not given, like an empty variable, so it never hides the variable.
    const value = [flags[field as keyof LocalConfig], env[envKey]].find((v) => v !== undefined && v !== '');
    if (value !== undefined) merged[field] = value;
  }
  const parsed = localConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    const envKey = LOCAL_ENV_KEYS[field as keyof typeof LOCAL_ENV_KEYS];
    throw new ConfigError(`Invalid value for ${field} (flag or ${envKey}): ${issue.message}.`);
  }
  return { ...parsed.data, dagsFolder: resolve(parsed.data.dagsFolder), home: resolve(parsed.data.home) };
}
