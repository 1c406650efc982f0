import { CommanderError } from 'commander';
import { UpdraftError } from '../core/errors.ts';
import { CliUsageError } from './output.ts';
import { ApiError, ApiUnreachableError } from './rest-client.ts';

/**
 * The exit codes of `updraft`, stable so scripts can branch on them (docs/cli.md lists them). Like
 * Airflow's CLI, 1 is "it failed" and 2 a usage mistake; the others tell apart what a script may
 * want to handle differently.
 */
export const EXIT_CODES = {
  ok: 0,
  /**
   * The operation failed: an API error, what the command names does not exist (404; exit 1 since the first
   * release, so scripts that test for it keep working), a run that failed, an unexpected error.
   */
  failed: 1,
  /** The command was called wrongly: unknown option, missing argument, bad value. */
  usage: 2,
  /** Not authenticated or not allowed (HTTP 401, 403). */
  notAuthorized: 4,
  /** The REST API could not be reached. */
  unreachable: 5,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (error instanceof CliUsageError) return EXIT_CODES.usage;
  if (error instanceof ApiUnreachableError) return EXIT_CODES.unreachable;
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return EXIT_CODES.notAuthorized;
    return EXIT_CODES.failed;
  }
  if (error instanceof UpdraftError) return EXIT_CODES.failed;
  return EXIT_CODES.failed;
}

/** What to print for an error that ends the command (commander prints its own usage errors). */
export function errorMessageFor(error: unknown): string | null {
  if (error instanceof CommanderError) return null;
  if (error instanceof CliUsageError || error instanceof UpdraftError) return `Error: ${error.message}`;
  return `Unexpected error: ${(error as Error)?.stack ?? String(error)}`;
}
