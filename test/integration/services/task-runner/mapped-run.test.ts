import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { runTask, type TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { bundleDagFile, queueAttempt, serveTestExecutionApi, testRunnerDeps, type DagBundle } from '../bundled-dag-harness.ts';

/**
 * Mapped task instances in the runner (dynamic task mapping), with the DAG bundled as the DAG
 * processor bundles it and the real Execution API: elements reach arguments and template fields, and
 * a task whose output is mapped over fails when it does not produce a list.
 */

const DAG_SOURCE = fileURLToPath(new URL('./dags/mapping-dag.ts', import.meta.url));
const DAG_ID = 'mapping_runner';

/** Instances the scheduler would have created by expanding (the list_files list has two elements). */
const MAPPED = ['label', 'echo', 'per_file.size', 'use', 'use__1', 'use__2'];

let storage: EmulatorStorage;
let bundle: DagBundle;
let served: ServedApi;
const tokens = new TaskTokens('mapped-run-test-secret-0123456789abcdef', systemClock);
let runs = 0;

beforeAll(async () => {
  storage = await createEmulatorStorage('mapped-run');
  bundle = await bundleDagFile(storage, DAG_SOURCE, { versionId: 'mapping-v1', now: new Date() });
  served = await serveTestExecutionApi(storage, tokens);
});

afterAll(async () => {
  await served?.close();
  storage?.close();
});

async function seedRun(conf: Record<string, unknown> = {}): Promise<DagRunRecord> {
  runs += 1;
  const run = runningManualRun(DAG_ID, 'mapping-v1', new Date(Date.UTC(2026, 0, runs)), conf, new Date());
  await storage.metastore.createDagRun(run);
  await storage.metastore.createTaskInstances(
    bundle.dag.tasks.flatMap((task) => {
      const placeholder = newTaskInstance(run, task);
      if (!MAPPED.includes(task.taskId)) return [placeholder];
      return [{ ...placeholder, state: 'removed' as const }, ...[0, 1].map((mapIndex) => ({ ...newTaskInstance(run, task), mapIndex }))];
    }),
  );
  return run;
}

function deps(overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps {
  return testRunnerDeps(served, storage.objectStore, bundle, overrides);
}

/** Queues and runs the instance's first try; answers its state, return value and log. */
async function run(dagRun: DagRunRecord, taskId: string, mapIndex = -1, overrides: Partial<TaskRunnerDeps> = {}) {
  const ti: TaskAttemptKey = { dagId: DAG_ID, runId: dagRun.runId, taskId, mapIndex, tryNumber: 1 };
  const workload = await queueAttempt(storage.metastore, bundle, tokens, ti);
  const outcome = await runTask(workload, deps(overrides));
  return {
    outcome,
    state: (await storage.metastore.getTaskInstance(ti))?.state,
    returned: (await storage.metastore.getXCom(ti, 'return_value'))?.value,
    log: (await storage.objectStore.getText(workload.logKey)) ?? '',
  };
}

describe('a mapped task instance in the runner', () => {
  it("gets its element as a TaskFlow argument, after the partial ones, and its own map index", async () => {
    const dagRun = await seedRun();
    expect((await run(dagRun, 'list_files')).returned).toEqual(['a.csv', 'b.csv']);
    const label = await run(dagRun, 'label', 1);
    expect(label.state).toBe('success');
    expect(label.returned).toBe('file:b.csv#1');
  });

  it('renders a mapped template field, with ti.map_index', async () => {
    const dagRun = await seedRun();
    const echo = await run(dagRun, 'echo', 1);
    expect(echo.state).toBe('success');
    expect(echo.returned).toBe('y 1');
  });

  it("gives a mapped group's tasks the group's item, and a task after the group the list of their values", async () => {
    const dagRun = await seedRun();
    await run(dagRun, 'list_files');
    expect((await run(dagRun, 'per_file.size', 0)).returned).toBe(5);
    expect((await run(dagRun, 'per_file.size', 1)).returned).toBe(5);
    expect((await run(dagRun, 'sum')).returned).toBe(10);
  });

  it('fails with a clear message when the Execution API does not send the mapped inputs', async () => {
    const dagRun = await seedRun();
    await run(dagRun, 'list_files');
    // An Execution API from before dynamic task mapping answers the start without mappedInputs.
    const olderApi: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method !== 'PATCH' || !String(input).endsWith('/run') || !response.ok) return response;
      const { mappedInputs: _dropped, ...body } = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const label = await run(dagRun, 'label', 0, { fetch: olderApi });
    expect(label.state).toBe('failed');
    expect(label.log).toContain('The Execution API did not send the mapped inputs of task "label" map index 0');
  });
});

describe('a task whose output a mapped task maps over', () => {
  it('fails when it returns something other than a list', async () => {
    const joined = await run(await seedRun(), 'joined');
    expect(joined.state).toBe('failed');
    expect(joined.returned).toBeUndefined();
    expect(joined.log).toContain(
      'Task "joined" returned a string, but task "use" maps over its return value: return an array (a list of the items to map over).',
    );
  });

  it('fails when it returns nothing', async () => {
    const silent = await run(await seedRun(), 'silent');
    expect(silent.state).toBe('failed');
    expect(silent.log).toContain('Task "silent" returned nothing, but task "use__1" maps over its return value');
  });

  it('fails when it pushes something other than a list under the key mapped over, and succeeds with a list', async () => {
    const pushedString = await run(await seedRun({ files: 'a.csv' }), 'pusher');
    expect(pushedString.state).toBe('failed');
    expect(pushedString.log).toContain('Task "pusher" pushed a string as XCom "files", but task "use__2" maps over it: push an array');
    const pushedList = await run(await seedRun({ files: ['a.csv'] }), 'pusher');
    expect(pushedList.state).toBe('success');
  });
});
