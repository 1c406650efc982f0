import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BashCommandError, ExecutionTimeoutError } from '../../../../src/services/task-runner/errors.ts';
import { runBash } from '../../../../src/services/task-runner/operators/bash-operator.ts';
import { TaskLog } from '../../../../src/services/task-runner/task-log.ts';

const fixedNow = () => new Date('2024-01-01T00:00:00Z');
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

function run(command: string, extra: { env?: Record<string, string>; cwd?: string; signal?: AbortSignal } = {}) {
  const log = new TaskLog(fixedNow);
  const result = runBash({ command, log, signal: extra.signal ?? new AbortController().signal, env: extra.env, cwd: extra.cwd });
  return { log, result };
}

describe('runBash', () => {
  it('returns the last non-empty stdout line and streams stdout and stderr into the log', async () => {
    const { log, result } = run('echo first; echo oops >&2; echo last; echo');
    await expect(result).resolves.toEqual({ kind: 'success', lastLine: 'last' });
    const text = log.text();
    expect(text).toContain('[2024-01-01T00:00:00.000Z] INFO first\n');
    expect(text).toContain('INFO oops\n');
    expect(text).toContain('INFO Command exited with return code 0');
  });

  it('exit code 99 means skipped', async () => {
    await expect(run('exit 99').result).resolves.toEqual({ kind: 'skipped', exitCode: 99 });
  });

  it('fails with the exit code on other non-zero exits', async () => {
    const { result } = run('echo partial; exit 3');
    await expect(result).rejects.toBeInstanceOf(BashCommandError);
    await expect(result).rejects.toThrow('non-zero exit code 3');
  });

  it('gives the command its env over a minimal inherited environment, without the worker secrets', async () => {
    process.env.UPDRAFT_TEST_SECRET = 'should-not-leak';
    try {
      const { result } = run('echo "$GREETING|${UPDRAFT_TEST_SECRET:-none}|$(command -v bash >/dev/null && echo path-ok)"', {
        env: { GREETING: 'hello' },
      });
      await expect(result).resolves.toEqual({ kind: 'success', lastLine: 'hello|none|path-ok' });
    } finally {
      delete process.env.UPDRAFT_TEST_SECRET;
    }
  });

  it('runs in the given cwd, or in a temporary folder of its own', async () => {
    const folder = await realpath(await mkdtemp(join(tmpdir(), 'bash-cwd-')));
    folders.push(folder);
    await expect(run('pwd', { cwd: folder }).result).resolves.toEqual({ kind: 'success', lastLine: folder });
    const own = await run('pwd').result;
    expect(own.kind === 'success' && own.lastLine).toMatch(/updraft-bash-/);
  });

  it('refuses a cwd that does not exist', async () => {
    await expect(run('pwd', { cwd: '/no/such/folder' }).result).rejects.toThrow(/not an existing folder/);
  });

  it('stops the command and what it started when the signal aborts', async () => {
    const controller = new AbortController();
    let sawStart!: () => void;
    const started = new Promise<void>((resolve) => (sawStart = resolve));
    class WatchedLog extends TaskLog {
      override write(level: 'INFO', message: string): void {
        super.write(level, message);
        if (message === 'started') sawStart();
      }
    }
    const result = runBash({ command: 'echo started; sleep 30 & wait', log: new WatchedLog(fixedNow), signal: controller.signal });
    await started;
    controller.abort(new ExecutionTimeoutError(1));
    await expect(result).rejects.toBeInstanceOf(ExecutionTimeoutError);
  });
});
