import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler } from '../../../../src/services/scheduler/index.ts';
import { runTask, type TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { bundleDagFile, seedRunningRun, serveTestExecutionApi, testRunnerDeps } from '../bundled-dag-harness.ts';

/**
 * Branching DAGs run end to end in-process: the runner executes each task from the bundle, the real
 * Execution API (served over HTTP, on DynamoDB Local) records skips and finishes, and its fast path,
 * the real RunScheduler, queues what becomes ready, until the run ends.
 */

const DAG_SOURCE = fileURLToPath(new URL('./dags/branching-dag.ts', import.meta.url));

let storage: Awaited<ReturnType<typeof createEmulatorStorage>>;
let served: ServedApi;
let scheduler: RunScheduler;
let deps: TaskRunnerDeps;
const executor = new RecordingExecutor();

beforeAll(async () => {
  storage = await createEmulatorStorage('runner-branching');
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('branching-test-secret-0123456789abcdefghij', systemClock);
  const bundle = await bundleDagFile(storage, DAG_SOURCE, { versionId: 'v1', now: new Date() });
  const dagVersions = new DagVersionCache(metastore);
  scheduler = new RunScheduler({
    metastore,
    executors: new ExecutorRegistry([executor]),
    clock: systemClock,
    tokens,
    logger: silentLogger,
    dagVersions,
    settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'branching-test' },
  });
  served = await serveTestExecutionApi(storage, tokens, {
    dagVersions,
    onTaskFinished: (run, finished) => scheduler.afterTaskFinished(run, finished),
  });
  deps = testRunnerDeps(served, objectStore, bundle, { workerId: 'worker-branching' });
}, 60_000);

afterAll(async () => {
  await served?.close();
  storage?.close();
});

let runs = 0;

/** Creates a running run, then runs every task the scheduler queues until it queues no more. */
async function runToEnd(dagId: string, conf: Record<string, unknown> = {}, runType: DagRunRecord['runType'] = 'manual') {
  runs += 1;
  const { metastore } = storage;
  const run: DagRunRecord = { ...runningManualRun(dagId, 'v1', new Date(Date.UTC(2024, 0, runs)), conf, new Date()), runType };
  const version = await metastore.getDagVersion(dagId, 'v1');
  await seedRunningRun(metastore, run, version!.serialized.tasks);
  await scheduler.scheduleRun(run);
  const ran = new Set<string>();
  for (;;) {
    const next = executor.workloads.filter((w) => w.ti.runId === run.runId && w.ti.dagId === dagId && !ran.has(w.ti.taskId));
    if (next.length === 0) break;
    for (const workload of next) {
      ran.add(workload.ti.taskId);
      await runTask(workload, deps);
    }
  }
  return { run: await metastore.getDagRun(run), states: await statesOf(run), ran: [...ran] };
}

async function statesOf(run: DagRunKey): Promise<Record<string, string>> {
  const tis = await storage.metastore.listTaskInstances(run);
  return Object.fromEntries(tis.map((ti) => [ti.taskId, ti.state]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

describe('a DAG run with a branch', () => {
  it('ends success with the unchosen paths skipped and the chosen one run', async () => {
    const { run, states, ran } = await runToEnd('branching_runner', { path: 'path_a' });
    expect(run?.state).toBe('success');
    expect(states).toEqual({
      after_a: 'success',
      'grp.first': 'skipped',
      'grp.second': 'skipped',
      join: 'success',
      path_a: 'success',
      path_b: 'skipped',
      pick: 'success',
      publish: 'success',
    });
    expect(ran.sort()).toEqual(['after_a', 'path_a', 'pick', 'publish']);
    const pushed = await storage.metastore.getXCom({ dagId: 'branching_runner', runId: run!.runId, taskId: 'pick', mapIndex: -1 }, 'return_value');
    expect(pushed?.value).toBe('path_a');
  });

  it('follows a task group by its id', async () => {
    const { run, states } = await runToEnd('branching_runner', { path: 'grp' });
    expect(run?.state).toBe('success');
    expect(states).toMatchObject({ 'grp.first': 'success', 'grp.second': 'success', path_a: 'skipped', after_a: 'skipped', path_b: 'skipped' });
  });

  it('fails the branch task, skipping nothing, when it returns a task that is not directly downstream', async () => {
    const { run, states } = await runToEnd('branching_runner', { path: 'publish' });
    expect(run?.state).toBe('failed');
    expect(states).toMatchObject({ pick: 'failed', path_a: 'upstream_failed', path_b: 'upstream_failed', publish: 'upstream_failed' });
  });
});

describe('shortCircuit and latestOnly in a run', () => {
  it('a falsy short circuit skips everything downstream, whatever the trigger rules', async () => {
    const { run, states } = await runToEnd('short_circuit_runner', { rows: 0 });
    expect(run?.state).toBe('success');
    expect(states).toEqual({ always_end: 'skipped', has_rows: 'success', load: 'skipped' });
  });

  it('a truthy short circuit lets downstream run', async () => {
    const { states } = await runToEnd('short_circuit_runner', { rows: 3 });
    expect(states).toEqual({ always_end: 'success', has_rows: 'success', load: 'success' });
  });

  it('latestOnly lets a manual run proceed (its timetable has no next run either)', async () => {
    const { states } = await runToEnd('latest_only_runner', {}, 'manual');
    expect(states).toEqual({ latest_only: 'success', notify: 'success' });
  });
});
