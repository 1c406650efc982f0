/**
 * The worker's side of a `python` task when the child cannot report for itself: Python missing, a
 * client that crashes, a start the gate refused. The happy paths run end to end in test/e2e/python.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretMasker } from '../../../../src/services/secrets/secret-masker.ts';
import { registerMaskLine, runExternalTask } from '../../../../src/services/task-runner/external-task.ts';
import { dag, pythonTask, type TaskDefinition } from '../../../../src/sdk/index.ts';
import { createRunnerHarness } from './runner-harness.ts';

let harness: Awaited<ReturnType<typeof createRunnerHarness>>;
let clients: string;

/** The python definition of a task id the harness's DAG version knows ("flaky" has retries: 2). */
function pythonDefinition(taskId: string, script = 'python/job.py'): TaskDefinition {
  const built = dag({ dagId: 'runner_test' }, () => void pythonTask({ taskId, script, retries: 2 }));
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

  it('masks a connection password and a secret variable the Python task read, in every later line', async () => {
    // The local Execution API reads UPDRAFT_CONN_* / UPDRAFT_VAR_* from this process's environment.
    process.env.UPDRAFT_CONN_EXT_TASK_WAREHOUSE = 'postgres://etl:pw-Xyz-7781@db.internal:5432/analytics?token=tk-0987654';
    process.env.UPDRAFT_VAR_EXT_TASK_API_KEY = 'key-5550123';
    try {
      await harness.objectStore.put(
        'dags/python/secrets.py',
        [
          'import sys',
          'def main(context):',
          '    print("before reading, pw-Xyz-7781 is just text")',
          '    conn = context["connections"].get("ext_task_warehouse")',
          '    key = context["variables"].get("ext_task_api_key")',
          '    print("password", conn.password, "on", conn.host, "as", conn.login)',
          '    print("token", conn.extra["token"], file=sys.stderr)',
          '    context["log"].warning("calling with %s", key)',
          '',
        ].join('\n'),
      );
      const run = await harness.seedRun();
      const workload = await harness.queue(run, 'flaky');
      const outcome = await runExternalTask(workload, pythonDefinition('flaky', 'python/secrets.py'), harness.deps());
      expect(outcome).toEqual({ kind: 'finished', state: 'success' });
      const log = (await harness.log(workload)) ?? '';
      expect(log).toMatch(/\] INFO before reading, pw-Xyz-7781 is just text\n/);
      expect(log).toMatch(/\] INFO password \*\*\* on db.internal as etl\n/);
      expect(log).toMatch(/\] ERROR token \*\*\*\n/);
      expect(log).toMatch(/\] WARNING calling with \*\*\*\n/);
      expect(log).not.toContain('::updraft::');
      expect(log).not.toContain('tk-0987654');
      expect(log).not.toContain('key-5550123');
    } finally {
      delete process.env.UPDRAFT_CONN_EXT_TASK_WAREHOUSE;
      delete process.env.UPDRAFT_VAR_EXT_TASK_API_KEY;
    }
  });

  it('warns about a malformed mask line without writing its content', async () => {
    const client = await fakeClient('bad-mask.py', 'import sys\nprint("::updraft::mask {\\"password\\": pw-Half-Written")\nsys.exit(0)\n');
    const run = await harness.seedRun();
    const workload = await harness.queue(run, 'flaky');
    await runExternalTask(workload, pythonDefinition('flaky'), harness.deps({ python: { clientPath: client } }));
    const log = (await harness.log(workload)) ?? '';
    expect(log).toContain('WARNING Ignored a malformed ::updraft::mask line from the task process (its content is not shown).');
    expect(log).not.toContain('pw-Half-Written');
  });
});

describe('registerMaskLine', () => {
  it('registers a connection\'s password and sensitive extra, and a variable only under a sensitive key', () => {
    const masker = new SecretMasker();
    const connection = { connId: 'db', connType: 'postgres', host: 'h', login: 'u', password: 'pw-1234567', schema: null, port: 5432, extra: { api_token: 'tok-7654321', region: 'eu-west-1' } };
    expect(registerMaskLine(JSON.stringify({ connection }), masker)).toBe(true);
    expect(registerMaskLine(JSON.stringify({ variable: { key: 'db_password', value: 'var-secret-1' } }), masker)).toBe(true);
    expect(registerMaskLine(JSON.stringify({ variable: { key: 'region', value: 'us-east-2' } }), masker)).toBe(true);
    expect(masker.mask('pw-1234567 tok-7654321 eu-west-1 var-secret-1 us-east-2')).toBe('*** *** eu-west-1 *** us-east-2');
  });

  it('refuses JSON of another shape', () => {
    const masker = new SecretMasker();
    for (const json of ['not json', '[]', '{}', '{"variable": {"key": "k"}}', '{"connection": "pw"}']) {
      expect(registerMaskLine(json, masker)).toBe(false);
    }
  });
});
