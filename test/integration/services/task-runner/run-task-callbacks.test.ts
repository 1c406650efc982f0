import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { createRunnerHarness } from './runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;
let webhook: Server;
const posted: Array<{ path: string; body: unknown }> = [];

beforeAll(async () => {
  h = await createRunnerHarness('runner-callbacks');
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      posted.push({ path: request.url ?? '', body: JSON.parse(body) as unknown });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => webhook?.close(resolve));
  await h?.close();
});

/** The log's lines without their timestamps. */
const linesOf = async (workload: Parameters<typeof h.log>[0]) =>
  ((await h.log(workload)) ?? '').split('\n').map((line) => line.replace(/^\[[^\]]+\] /, ''));

describe('task callbacks', () => {
  it('runs onExecute before the task and onSuccess after the success is recorded, all in the task log', async () => {
    const run = await h.seedRun();
    const workload = await h.queue(run, 'cb_succeeds');
    expect(await runTask(workload, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.ti(workload))?.state).toBe('success');
    const lines = await linesOf(workload);
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(lines).toContain('INFO callback execute: cb_succeeds try 1/1 execute running error=-');
    expect(lines).toContain('INFO callback success-1: cb_succeeds try 1/1 success success error=-');
    expect(lines).toContain('INFO callback success-2: cb_succeeds try 1/1 success success error=-');
    expect(at('callback execute')).toBeLessThan(at('task body runs'));
    expect(at('task body runs')).toBeLessThan(at('Marking task as SUCCESS'));
    expect(at('Marking task as SUCCESS')).toBeLessThan(at('callback success-1'));
    expect(at('callback success-1')).toBeLessThan(at('callback success-2'));
    expect(lines.some((line) => line.includes('callback failure') || line.includes('callback retry'))).toBe(false);
  });

  it('logs a throwing callback, runs the next one, and leaves the task successful', async () => {
    const run = await h.seedRun();
    const workload = await h.queue(run, 'cb_throws');
    expect(await runTask(workload, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.ti(workload))?.state).toBe('success');
    expect((await h.xcom(workload))?.value).toBe('ok');
    const log = (await h.log(workload)) ?? '';
    // esbuild may suffix a function's name when it bundles the DAG file (boom2).
    expect(log).toMatch(/ERROR The on_execute_callback 1 \(function boom\d*\) failed; the task's state is unchanged: Error: the pager is down/);
    expect(log).toMatch(/ERROR The on_success_callback 1 \(function boom\d*\) failed; the task's state is unchanged: Error: the pager is down/);
    expect(log).toContain('INFO callback after-boom: cb_throws try 1/1 success success error=-');
  });

  it('runs onRetry for a try that will be retried and onFailure for the last one', async () => {
    const run = await h.seedRun();
    const first = await h.queue(run, 'cb_flaky');
    expect(await runTask(first, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(first))?.state).toBe('up_for_retry');
    const firstLog = (await h.log(first)) ?? '';
    expect(firstLog).toContain('INFO callback retry: cb_flaky try 1/2 retry up_for_retry error=Error: the source is late');
    expect(firstLog).not.toContain('callback failure');

    const second = await h.queue(run, 'cb_flaky', 2);
    expect(await runTask(second, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(second))?.state).toBe('failed');
    const secondLog = (await h.log(second)) ?? '';
    expect(secondLog).toContain('INFO callback failure: cb_flaky try 2/2 failure failed error=Error: the source is late');
    expect(secondLog).not.toContain('callback retry');
  });

  it('runs onFailure for a timeout and for a failing bash task', async () => {
    const run = await h.seedRun();
    const timesOut = await h.queue(run, 'cb_times_out');
    expect(await runTask(timesOut, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect(await h.log(timesOut)).toMatch(/INFO callback failure: cb_times_out try 1\/1 failure failed error=ExecutionTimeoutError: The task ran longer/);

    const bashFails = await h.queue(run, 'cb_bash_fails');
    expect(await runTask(bashFails, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect(await h.log(bashFails)).toContain('INFO callback failure: cb_bash_fails try 1/1 failure failed error=BashCommandError: Bash command failed.');
  });

  it('runs no callback but onExecute for a skipped task', async () => {
    const run = await h.seedRun();
    const workload = await h.queue(run, 'cb_skips');
    expect(await runTask(workload, h.deps())).toEqual({ kind: 'finished', state: 'skipped' });
    const log = (await h.log(workload)) ?? '';
    expect(log).toContain('callback execute: cb_skips');
    expect(log).not.toMatch(/callback (success|failure|retry)/);
  });

  it('posts a failure to the webhook of an httpNotifier connection', async () => {
    const { port } = webhook.address() as AddressInfo;
    process.env.UPDRAFT_CONN_RUNNER_WEBHOOK = JSON.stringify({ conn_type: 'http', extra: { webhook_url: `http://127.0.0.1:${port}/hooks/alerts` } });
    try {
      const run = await h.seedRun();
      const workload = await h.queue(run, 'cb_webhook');
      expect(await runTask(workload, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
      expect(posted).toEqual([
        {
          path: '/hooks/alerts',
          body: { text: `Task cb_webhook of DAG runner_test, run ${run.runId}, try 1 of 1: failed. Error: FailNoRetry: the input is invalid` },
        },
      ]);
      expect(await h.log(workload)).toContain('Running 1 on_failure_callback.');
    } finally {
      delete process.env.UPDRAFT_CONN_RUNNER_WEBHOOK;
    }
  });
});
