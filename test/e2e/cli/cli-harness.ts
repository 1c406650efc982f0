import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Drives `node bin/updraft.mjs` as a user would: a child process in the repository root, with its own
 * UPDRAFT_HOME so it never touches the repository's `.updraft/`. Every child leads its own process
 * group, so a test that gives up can stop it together with DynamoDB Local and the workers it started.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURE_DAGS = fileURLToPath(new URL('./dags/', import.meta.url));
const CLI = join(REPO_ROOT, 'bin', 'updraft.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp folder for UPDRAFT_HOME (and DAG folders), removed by the returned function. */
export function tempFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `updraft-e2e-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A writable copy of the fixture DAGs, for tests that add files while Updraft watches the folder. */
export function copyFixtureDags(into: string): string {
  const folder = join(into, 'dags');
  cpSync(FIXTURE_DAGS, folder, { recursive: true });
  return folder;
}

/** The caller's environment without its own UPDRAFT_* settings (they would leak into the test). */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('UPDRAFT_')) env[key] = value;
  env.UPDRAFT_HOME = home;
  return env;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

// A test run that ends early (a failed assertion, Ctrl-C on vitest) must not leave a standalone behind.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

export function describeResult(result: Pick<CliResult, 'code' | 'signal' | 'stdout' | 'stderr'>): string {
  return `exit code ${result.code}${result.signal ? ` (signal ${result.signal})` : ''}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/** A CLI process that is still running: its output so far, and ways to wait for it and to stop it. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], home: string) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: cliEnv(home),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    const changed = () => this.listeners.forEach((listener) => listener());
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      changed();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      changed();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      // 'close', not 'exit': the output is complete only once the pipes have closed.
      this.child.once('close', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
        changed();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once stdout contains `text`; fails with the output so far if the process exits or time runs out. */
  waitForStdout(text: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.stdout.includes(text)) finish();
        else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(new Error(`The process exited before printing "${text}": ${this.describe()}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`"${text}" was not printed within ${timeoutMs / 1000} s: ${this.describe()}`)),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group. */
  interrupt(): void {
    killGroup(this.child, 'SIGINT');
  }

  /** Stops the process and everything it started, for cleanup after a failure. */
  kill(): void {
    killGroup(this.child, 'SIGKILL');
  }

  /** The result once the process exits; kills it and fails with its output after `timeoutMs`. */
  async result(timeoutMs: number): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`The command did not finish within ${timeoutMs / 1000} s: ${this.describe()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private describe(): string {
    return describeResult({ code: this.child.exitCode, signal: this.child.signalCode, stdout: this.stdout, stderr: this.stderr });
  }
}

/** Runs one CLI command to its end. */
export function runCli(args: string[], options: { home: string; timeoutMs?: number }): Promise<CliResult> {
  return new CliProcess(args, options.home).result(options.timeoutMs ?? 120_000);
}

/** Parses a command's stdout as JSON, failing with the whole output when it is not. */
export function parseJsonOutput<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(`stdout is not JSON (${(error as Error).message}): ${describeResult(result)}`);
  }
}
