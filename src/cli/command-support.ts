import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UpdraftError } from '../core/errors.ts';
import { openApiConnection, type ApiConnection, type ApiTargetOptions } from './api-connection.ts';
import { CliUsageError, OUTPUT_OPTION_HELP, parseOutputFormat, type OutputFormat } from './output.ts';

/**
 * What the REST-backed commands need from the outside world. Tests pass their own: a connection to an
 * app on the emulators, captured output, and a `sleep` that advances the world instead of waiting.
 */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  openApi(options: ApiTargetOptions): Promise<ApiConnection>;
  /** Waits between polls (`dags trigger --wait`). */
  sleep(ms: number): Promise<void>;
  /** Asks a yes/no question; null when there is no terminal to ask on. */
  confirm(question: string): Promise<boolean | null>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
}

export const defaultCliIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  openApi: (options) => openApiConnection(options),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  confirm: async (question) => {
    if (!process.stdin.isTTY) return null;
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
      prompt.close();
    }
  },
  readFile: async (path) => (await import('node:fs/promises')).readFile(path, 'utf8'),
  writeFile: async (path, text) => (await import('node:fs/promises')).writeFile(path, text, 'utf8'),
};

/** `--api-url` and `--token` on the program: every command below it reads them. */
export function addApiOptions(program: Command): Command {
  return program
    .option('--api-url <url>', 'REST API to talk to (default: UPDRAFT_API_URL; unset: local mode on ./.updraft)')
    .option('--token <token>', 'REST API token (default: UPDRAFT_API_TOKEN, or log in with UPDRAFT_API_USERNAME/UPDRAFT_API_PASSWORD)');
}

/** Opens the API the global options name, runs the action, and always closes it. */
export async function withApi<T>(command: Command, io: CliIo, action: (api: ApiConnection) => Promise<T>): Promise<T> {
  const globals = command.optsWithGlobals<ApiTargetOptions>();
  const api = await io.openApi({ apiUrl: globals.apiUrl, token: globals.token });
  try {
    return await action(api);
  } finally {
    await api.close();
  }
}

export function outputOption(command: Command): Command {
  return command.option('-o, --output <format>', OUTPUT_OPTION_HELP, 'table');
}

export function formatOf(options: { output?: string }): OutputFormat {
  return parseOutputFormat(options.output);
}

/** `--help` text listing examples, one command a line. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ updraft ${line}`).join('\n')}`;
}

/** Asks before a destructive action unless --yes; without a terminal to ask on, --yes is required. */
export async function confirmOrAbort(io: CliIo, yes: boolean | undefined, question: string): Promise<boolean> {
  if (yes) return true;
  const answer = await io.confirm(question);
  if (answer === null) throw new CliUsageError(`${question} There is no terminal to ask on: pass --yes to confirm.`);
  if (!answer) io.stderr.write('Cancelled.\n');
  return answer;
}

/** `a, b,,c` → ['a', 'b', 'c']. */
export function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export function parseWholeNumber(value: string, flag: string, minimum = 0): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new CliUsageError(`${flag} must be a whole number of at least ${minimum}, not "${value}".`);
  return number;
}

/** An ISO date or instant as the API wants it (UTC instant), or a usage error naming the flag. */
export function parseInstant(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new CliUsageError(`${flag} must be an ISO-8601 date or instant, e.g. 2026-01-01 or 2026-01-01T06:00:00Z, not "${value}".`);
  }
  return date.toISOString();
}

export function parseJsonObject(value: string | undefined, flag: string, example: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new CliUsageError(`${flag} must be a JSON object, e.g. ${flag} '${example}': ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError(`${flag} must be a JSON object, e.g. ${flag} '${example}', not ${value}.`);
  }
  return parsed as Record<string, unknown>;
}

/** A path segment of the REST API (ids may hold characters that need escaping). */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

export const API = '/api/v2';

/** The command ran but did not achieve what it was asked (a run that failed, a timeout): exit 1. */
export class CommandFailedError extends UpdraftError {
  constructor(message: string) {
    super('command_failed', message);
  }
}
