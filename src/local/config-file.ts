import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UpdraftConfig } from '../core/config/updraft-config.ts';
import { ConfigError } from '../core/errors.ts';

/** The variable that names the config file, as AIRFLOW_CONFIG names airflow.cfg. */
export const CONFIG_FILE_VARIABLE = 'UPDRAFT_CONFIG_FILE';
export const DEFAULT_CONFIG_FILE = 'updraft.cfg';

/**
 * The config file to read: `$UPDRAFT_CONFIG_FILE` (which must exist: a path set on purpose and not found
 * is a mistake), else `./updraft.cfg` when there is one, else none. `display` is the path as the user
 * would write it, for sources and error messages.
 */
export function findUpdraftConfigFile(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): { path: string; display: string } | null {
  const named = env[CONFIG_FILE_VARIABLE];
  if (named !== undefined && named !== '') {
    const path = resolve(cwd, named);
    if (!existsSync(path)) {
      throw new ConfigError(
        `${CONFIG_FILE_VARIABLE} names the configuration file ${path}, which does not exist. Create it, fix the path, or unset ${CONFIG_FILE_VARIABLE}.`,
      );
    }
    return { path, display: named };
  }
  const path = join(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(path) ? { path, display: `./${DEFAULT_CONFIG_FILE}` } : null;
}

/** The effective configuration of this process: defaults, the config file if any, `UPDRAFT__*` variables. */
export function loadUpdraftConfig(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): UpdraftConfig {
  const file = findUpdraftConfigFile(env, cwd);
  if (file === null) return UpdraftConfig.resolve({ env });
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (error) {
    throw new ConfigError(`The configuration file ${file.path} cannot be read: ${(error as Error).message}.`, { cause: error });
  }
  return UpdraftConfig.resolve({ file: { path: file.display, text }, env });
}
