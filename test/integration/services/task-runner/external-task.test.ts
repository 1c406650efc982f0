/**
 * The worker's side of a `python` task when the child cannot report for itself: Python missing, a
 * client that crashes, a start the gate refused. The happy paths run end to end in test/e2e/python.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExternalTask } from '../../../../src/services/task-runner/external-task.ts';
import { dag, pythonTask, type TaskDefinition } from '../../../../src/sdk/index.ts';
import { createRunnerHarness } from './runner-harness.ts';

let harness: Awaited<ReturnType<typeof createRunnerHarness>>;
let clients: string;

/** The python definition of a task id the harness's DAG version knows ("flaky" has retries: 2). */
function pythonDefinition(taskId: string): TaskDefinition {
  const built = dag({ dagId: 'runner_test' }, () => void pythonTask({ taskId, script: 'python/job.py', retries: 2 }));
  return built.tasks.get(taskId)!;
}

async function fakeClient(name: string, source: string): Promise<string> {
  const path = join(clients, name);
  await writeFile(path, source);
  return path;
}

beforeAll(async () => {
  harness = await createRunnerHarness('external-task');
  clients = await mkdtemp(join(tmpdir(), 'external-task-clients-'));
  await harness.objectStore.put('dags/python/job.py', 'def main(context):\n    return 1\n');
});

afterAll(async () => {
  await harness?.close();
});

describe('runExternalTask', () => {
  it('fails the attempt without retry when the interpreter cannot be run', async () => {
    const run = await harness.seedRun();
    const workload = await harness.queue(run, 'flaky');
    const outcome = await runExternalTask(workload, pythonDefinition('flaky'), harness.deps({ python: { command: 'no-such-python3' } }));
    expect(outcome).toEqual({ kind: 'finished', state: 'failed' });
    expect((await harness.ti(workload))?.state).toBe('failed');
    const log = await harness.log(workload);
    expect(log).toContain('Could not run "no-such-python3" on this worker');
    expect(log).toContain('INFO This failure is not retried.');
  });

  it('finishes a retryable failure for a client that crashed, keeping what it printed', async () => {
    const client = await fakeClient('crash.py', 'import sys\nprint("half way")\nprint("oops", file=sys.stderr)\nsys.exit(9)\n');
    const run = await harness.seedRun();
    const workload = await harness.queue(run, 'flaky');
    const outcome = await runExternalTask(workload, pythonDefinition('flaky'), harness.deps({ python: { clientPath: client } }));
    expect(outcome).toEqual({ kind: 'finished', state: 'failed' });
    expect((await harness.ti(workload))?.state).toBe('up_for_retry');
    const log = (await harness.log(workload)) ?? '';
    expect(log).toMatch(/\] INFO half way\n/);
    expect(log).toMatch(/\] ERROR oops\n/);
    expect(log).toContain('The Python process exited with code 9 without reporting the end of the attempt.');
  });

  it('reports not_started and writes no log when the client says the gate refused it', async () => {
    const client = await fakeClient('refused.py', 'import sys\nsys.exit(3)\n');
    const run = await harness.seedRun();
    const workload = await harness.queue(run, 'flaky');
    const outcome = await runExternalTask(workload, pythonDefinition('flaky'), harness.deps({ python: { clientPath: client } }));
    expect(outcome).toEqual({ kind: 'not_started', reason: 'start_refused' });
    expect((await harness.ti(workload))?.state).toBe('queued');
    expect(await harness.log(workload)).toBeNull();
  });

  it('passes the script and the workload to the client in its environment, without the worker\'s credentials', async () => {
    const client = await fakeClient(
      'env.py',
      'import json, os, sys\nw = json.loads(os.environ["UPDRAFT_WORKLOAD"])\n' +
        'script = os.environ["UPDRAFT_TASK_SCRIPT"]\n' +
        'print(script, open(script).readline().strip(), w["ti"]["taskId"], os.environ["UPDRAFT_TASK_CALLABLE"], ' +
        'os.environ["UPDRAFT_WORKER_ID"], "AWS_SECRET_ACCESS_KEY" in os.environ)\n' +
        'sys.exit(1)\n',
    );
    const run = await harness.seedRun();
    const workload = await harness.queue(run, 'flaky');
    await runExternalTask(workload, pythonDefinition('flaky'), harness.deps({ python: { clientPath: client } }));
    expect(await harness.log(workload)).toContain('INFO dags/python/job.py def main(context): flaky main worker-a False\n');
  });
});
