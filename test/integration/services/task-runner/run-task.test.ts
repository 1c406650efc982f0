import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { createRunnerHarness } from './runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;

beforeAll(async () => {
  h = await createRunnerHarness('runner');
});
afterAll(async () => {
  await h?.close();
});

describe('runTask', () => {
  it('runs TaskFlow tasks, passing return values and pushed XComs downstream', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    expect(await runTask(extract, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.ti(extract))?.state).toBe('success');
    expect((await h.xcom(extract))?.value).toEqual({ day: '2024-03-01', rows: [1, 2, 3] });
    expect((await h.xcom(extract, 'row_count'))?.value).toBe(3);
    expect(await h.log(extract)).toContain('INFO extracting 2024-03-01 for eu');

    const transform = await h.queue(run, 'transform');
    expect(await runTask(transform, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.xcom(transform))?.value).toEqual({ total: 12, count: 3, tryNumber: 1 });
  });

  it('renders templates (ds, params, env, xcom_pull) and pushes the last stdout line of a bash task', async () => {
    const run = await h.seedRun({ greeting: 'bonjour' });
    await runTask(await h.queue(run, 'extract'), h.deps());
    const templated = await h.queue(run, 'templated');
    expect(await runTask(templated, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    const line = 'day=2024-03-02 greeting=bonjour region=eu day_from_xcom=2024-03-02';
    expect((await h.xcom(templated))?.value).toBe(line);
    expect(await h.log(templated)).toContain(`INFO ${line}`);
  });

  it('fails a bash task on a non-zero exit and skips it on exit 99', async () => {
    const run = await h.seedRun();
    const fails = await h.queue(run, 'bash_fails');
    expect(await runTask(fails, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(fails))?.state).toBe('failed');
    const log = await h.log(fails);
    expect(log).toContain('INFO about to fail');
    expect(log).toMatch(/ERROR Task failed: BashCommandError: Bash command failed. The command returned a non-zero exit code 3/);

    const skips = await h.queue(run, 'bash_skips');
    expect(await runTask(skips, h.deps())).toEqual({ kind: 'finished', state: 'skipped' });
    expect((await h.ti(skips))?.state).toBe('skipped');
    expect(await h.log(skips)).toContain('Bash command returned exit code 99. Skipping.');
  });

  it('succeeds an empty task', async () => {
    const run = await h.seedRun();
    const nothing = await h.queue(run, 'nothing');
    expect(await runTask(nothing, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect(await h.xcom(nothing)).toBeNull();
  });

  it('pushes no XCom for a task that returns null, as Airflow pushes none for None', async () => {
    const run = await h.seedRun();
    const returnsNull = await h.queue(run, 'returns_null');
    expect(await runTask(returnsNull, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect(await h.xcom(returnsNull)).toBeNull();
  });

  it('gives tasks variables and connections, and masks the secrets they read in the task log', async () => {
    process.env.UPDRAFT_CONN_RUNNER_WAREHOUSE = 'postgresql://loader:hunter2-secret@db.example.com:5432/analytics';
    process.env.UPDRAFT_VAR_RUNNER_API_TOKEN = 'tok-123456789';
    try {
      const run = await h.seedRun();
      const usesSecrets = await h.queue(run, 'uses_secrets');
      expect(await runTask(usesSecrets, h.deps())).toEqual({ kind: 'finished', state: 'success' });
      expect((await h.xcom(usesSecrets))?.value).toEqual({ host: 'db.example.com', batchSize: '100' });
      const log = await h.log(usesSecrets);
      expect(log).toContain('connecting as loader with *** and token ***; batch 100');
      expect(log).not.toContain('hunter2-secret');
      expect(log).not.toContain('tok-123456789');
    } finally {
      delete process.env.UPDRAFT_CONN_RUNNER_WAREHOUSE;
      delete process.env.UPDRAFT_VAR_RUNNER_API_TOKEN;
    }
  });

  it('maps SkipTask to skipped, FailNoRetry to failed without retry, RescheduleTask to up_for_reschedule, and other errors to a retry', async () => {
    const run = await h.seedRun();
    const skipper = await h.queue(run, 'skipper');
    expect(await runTask(skipper, h.deps())).toEqual({ kind: 'finished', state: 'skipped' });
    expect(await h.log(skipper)).toContain('Task skipped: nothing to do today');

    const noRetry = await h.queue(run, 'no_retry');
    expect(await runTask(noRetry, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(noRetry))?.state).toBe('failed');

    const rescheduler = await h.queue(run, 'rescheduler');
    expect(await runTask(rescheduler, h.deps())).toEqual({ kind: 'finished', state: 'up_for_reschedule' });
    expect(await h.ti(rescheduler)).toMatchObject({
      state: 'up_for_reschedule',
      tryNumber: 1,
      rescheduleDate: new Date('2030-01-01T00:00:00Z'),
    });
    expect(await h.log(rescheduler)).toContain('Rescheduling task: it runs again at 2030-01-01T00:00:00.000Z (the partition is not there yet)');

    const flaky = await h.queue(run, 'flaky');
    expect(await runTask(flaky, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    const ti = await h.ti(flaky);
    expect(ti?.state).toBe('up_for_retry');
    expect(ti?.nextRetryAt).not.toBeNull();
  });

  it('writes the log of a failed attempt, with the error and its stack, to the attempt log key', async () => {
    const run = await h.seedRun();
    const flaky = await h.queue(run, 'flaky');
    await runTask(flaky, h.deps());
    expect(flaky.logKey).toBe(`logs/dag_id=runner_test/run_id=${run.runId}/task_id=flaky/attempt=1.log`);
    const log = (await h.log(flaky)) ?? '';
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] INFO Starting attempt 1 of 3 of runner_test\//);
    // The stack points into the DAG file the user wrote (the bundle's source map is applied).
    expect(log).toMatch(/ERROR Task failed: Error: the warehouse is not reachable\n {4}at .*flakyTask .*runner-dag\.ts:\d+:\d+\)/);
    expect(log).toContain('INFO Marking task as FAILED.');
  });

  it('fails a task whose return value is not JSON-serialisable, saying why', async () => {
    const run = await h.seedRun();
    const workload = await h.queue(run, 'unserialisable');
    expect(await runTask(workload, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect(await h.log(workload)).toContain('The return value of task "unserialisable" is not JSON-serialisable: $.at is a Map');
  });

  it('fails without retry a task that the bundle does not define', async () => {
    const run = await h.seedRun();
    const ghost = await h.queue(run, 'ghost');
    expect(await runTask(ghost, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(ghost))?.state).toBe('failed');
    expect(await h.log(ghost)).toContain('DAG "runner_test" in this run\'s version has no task "ghost"');
  });

  it('stops a TaskFlow task and a bash command at their execution timeout, as a retryable failure', async () => {
    const run = await h.seedRun();
    const hang = await h.queue(run, 'hang');
    expect(await runTask(hang, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect((await h.ti(hang))?.state).toBe('up_for_retry');
    expect(await h.log(hang)).toContain('ran longer than its executionTimeout of 0.3s');

    const bashHang = await h.queue(run, 'bash_hang');
    expect(await runTask(bashHang, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    const log = await h.log(bashHang);
    expect(log).toContain('INFO sleeping');
    expect(log).toContain('ExecutionTimeoutError');
  });

  it('does not run an attempt the start gate refuses, and writes no log', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    // Another worker holds the attempt (it was delivered twice, to two workers).
    await h.metastore.updateTaskInstance(extract.ti, { state: 'running', workerId: 'worker-b' });
    expect(await runTask(extract, h.deps())).toEqual({ kind: 'not_started', reason: 'running_elsewhere' });
    expect(await h.log(extract)).toBeNull();
    expect(await h.ti(extract)).toMatchObject({ state: 'running', workerId: 'worker-b' });
  });

  it('treats a duplicate delivery as not started, whether it comes during or after the attempt', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    const [first, second] = await Promise.all([runTask(extract, h.deps()), runTask(extract, h.deps())]);
    expect([first, second]).toContainEqual({ kind: 'finished', state: 'success' });
    expect([first, second]).toContainEqual({ kind: 'not_started', reason: 'already_running_here' });
    expect(await runTask(extract, h.deps({ workerId: 'worker-b' }))).toEqual({ kind: 'not_started', reason: 'invalid_state' });
    expect(await runTask(extract, h.deps())).toEqual({ kind: 'not_started', reason: 'invalid_state' });
    expect((await h.ti(extract))?.workerId).toBe('worker-a');
  });

  it('throws when the API cannot be reached, before anything ran', async () => {
    const run = await h.seedRun();
    const extract = await h.queue(run, 'extract');
    const unreachable: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(runTask(extract, h.deps({ fetch: unreachable }))).rejects.toThrow(/did not answer PATCH/);
    expect((await h.ti(extract))?.state).toBe('queued');
    expect(h.calls.some((c) => c.path.includes(encodeTaskInstanceId(extract.ti)))).toBe(false);
  });
});
