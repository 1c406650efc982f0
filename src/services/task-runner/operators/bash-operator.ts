import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ValidationError } from '../../../core/errors.ts';
import { BashCommandError } from '../errors.ts';
import type { TaskLog } from '../task-log.ts';

/** Airflow's BashOperator `skip_on_exit_code` default: this exit code marks the task skipped. */
export const BASH_SKIP_EXIT_CODE = 99;

/** Variables a command inherits from the worker; everything else (credentials included) stays out. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL'];

/** Grace between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 2_000;

export interface BashRunOptions {
  command: string;
  /** Rendered `env` template field; merged over the inherited minimal environment. */
  env?: Record<string, string>;
  /** Rendered `cwd`; omitted: a temporary folder removed afterwards (as Airflow does). */
  cwd?: string;
  log: TaskLog;
  signal: AbortSignal;
}

export type BashResult = { kind: 'success'; lastLine: string } | { kind: 'skipped'; exitCode: number };

/**
 * Runs `bash -c <command>` as Airflow's BashOperator does: output streamed into the task log, the last
 * non-empty stdout line as the result, exit 99 → skipped, other non-zero exits fail. The command runs in
 * its own process group so that stopping it (timeout, cleared task) also stops what it started.
 */
export async function runBash(options: BashRunOptions): Promise<BashResult> {
  if (typeof options.command !== 'string' || options.command.trim() === '') {
    throw new ValidationError('The bash task has an empty bashCommand; give it the command to run.', 'bashCommand');
  }
  options.signal.throwIfAborted();
  const ownCwd = options.cwd === undefined ? await mkdtemp(join(tmpdir(), 'updraft-bash-')) : null;
  const cwd = options.cwd ?? ownCwd!;
  try {
    if (ownCwd === null) await assertDirectory(cwd);
    return await spawnBash(options, cwd);
  } finally {
    if (ownCwd) await rm(ownCwd, { recursive: true, force: true });
  }
}

function spawnBash(options: BashRunOptions, cwd: string): Promise<BashResult> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, options.env ?? {});
  options.log.info(`Running command: ${options.command}`);
  return new Promise<BashResult>((resolve, reject) => {
    const child = spawn('bash', ['-c', options.command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    options.signal.addEventListener('abort', stop, { once: true });
    const stdout = lineReader((line) => {
      options.log.info(line);
      if (line.trim() !== '') lastLine = line;
    });
    const stderr = lineReader((line) => options.log.info(line));
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    child.once('error', (error) => {
      options.signal.removeEventListener('abort', stop);
      reject(new Error(`Could not start bash: ${error.message}. Make sure bash is installed on the worker.`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      stdout.end();
      stderr.end();
      options.log.info(`Command exited with return code ${code ?? signal}`);
      if (options.signal.aborted) return reject(options.signal.reason);
      if (code === 0) return resolve({ kind: 'success', lastLine });
      if (code === BASH_SKIP_EXIT_CODE) return resolve({ kind: 'skipped', exitCode: code });
      reject(new BashCommandError(code, signal));
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ValidationError(`The bash task's cwd "${cwd}" is not an existing folder on the worker.`, 'cwd');
  }
}

/** Splits a byte stream into lines without breaking multi-byte characters. */
function lineReader(onLine: (line: string) => void): { push: (chunk: Buffer) => void; end: () => void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    push: (chunk) => {
      pending += decoder.write(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
    },
    end: () => {
      pending += decoder.end();
      if (pending !== '') onLine(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}
