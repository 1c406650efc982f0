import { runningManualRun } from '../../../support/dag-runs.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { taskLogKey, type ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { serializeDag } from '../../../../src/core/serialization/index.ts';
import { createExecutionApiApp, serveExecutionApi, type ServedApi } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { isDag } from '../../../../src/sdk/index.ts';
import { uniqueName } from '../../../support/aws.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';

/**
 * The runner against the real Execution API (served over HTTP, on DynamoDB Local) and S3 on fauxqs,
 * with the test DAG bundled by esbuild as the DAG processor bundles DAG files.
 */

const SDK_ENTRY = fileURLToPath(new URL('../../../../src/sdk/index.ts', import.meta.url));
const DAG_SOURCE = fileURLToPath(new URL('./dags/runner-dag.ts', import.meta.url));
const DAG_ID = 'runner_test';
const VERSION_ID = 'runner-v1';

export interface RecordedCall {
  method: string;
  path: string;
}

/** Installs the hooks the test DAG calls; returns a promise per task id that resolves when it started. */
export function taskStarted(taskId: string): Promise<void> {
  const g = globalThis as { __updraftRunnerTest?: { started(taskId: string): void; waiting: Map<string, () => void> } };
  g.__updraftRunnerTest ??= {
    waiting: new Map(),
    started(id: string) {
      this.waiting.get(id)?.();
    },
  };
  const hooks = g.__updraftRunnerTest;
  return new Promise<void>((resolve) => hooks.waiting.set(taskId, resolve));
}

export async function createRunnerHarness(prefix: string, options: { heartbeatIntervalSeconds?: number } = {}) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('runner-test-secret-0123456789abcdefghij', systemClock);

  const bundled = await build({
    entryPoints: [DAG_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    write: false,
    alias: { 'updraft/sdk': SDK_ENTRY },
  });
  const bundleKey = `bundles/${uniqueName('runner')}.mjs`;
  await objectStore.put(bundleKey, bundled.outputFiles[0]!.contents, 'text/javascript');
  const cacheDir = await mkdtemp(join(tmpdir(), 'runner-bundles-'));
  const bundleLoader = new BundleLoader({ objectStore, cacheDir });

  // The serialized DAG comes from the same bundle the runner imports, as the DAG processor makes it.
  const dag = Object.values(await bundleLoader.load(bundleKey)).find(isDag);
  if (!dag) throw new Error('the test DAG bundle exports no DAG');
  const serialized: SerializedDag = serializeDag(dag, 'runner-dag.ts');
  // A task the version's serialized DAG names but its bundle does not define.
  serialized.tasks.push({ ...serialized.tasks.find((t) => t.taskId === 'flaky')!, taskId: 'ghost', retries: 2 });
  const now = new Date();
  await metastore.saveParsedDag({
    dag: {
      dagId: DAG_ID,
      fileloc: 'runner-dag.ts',
      isActive: true,
      latestVersionId: VERSION_ID,
      description: null,
      tags: [],
      scheduleDescription: null,
      maxActiveRuns: 16,
      lastParsedAt: now,
    },
    version: { dagId: DAG_ID, versionId: VERSION_ID, serialized, bundleKey, createdAt: now },
    pausedAtCreation: false,
    nextDagRunCreateAfter: null,
  });

  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    dagVersions: new DagVersionCache(metastore),
    onTaskFinished: async () => {},
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 30,
  });
  const served: ServedApi = await serveExecutionApi(app, { port: 0, host: '127.0.0.1' });

  const calls: RecordedCall[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    calls.push({ method: init?.method ?? 'GET', path: url.pathname });
    return fetch(input, init);
  };

  let runs = 0;
  /** A running DAG run of the test DAG with every task instance created (state none). */
  async function seedRun(conf: Record<string, unknown> = {}): Promise<DagRunRecord> {
    runs += 1;
    const logicalDate = new Date(Date.UTC(2024, 2, runs));
    const run = runningManualRun(DAG_ID, VERSION_ID, logicalDate, conf, now);
    await metastore.createDagRun(run);
    await metastore.createTaskInstances(
      serialized.tasks.map((t) => newTaskInstance(run, t)),
    );
    return run;
  }

  /** Queues an attempt as the scheduler does, and returns the workload it would send. */
  async function queue(run: DagRunRecord, taskId: string, tryNumber = 1): Promise<ExecuteTaskWorkload> {
    const ti: TaskAttemptKey = { dagId: DAG_ID, runId: run.runId, taskId, mapIndex: -1, tryNumber };
    await metastore.updateTaskInstance(ti, { state: 'queued', tryNumber, queuedAt: new Date(), workerId: null });
    return workloadFor(ti);
  }

  function workloadFor(ti: TaskAttemptKey): ExecuteTaskWorkload {
    return {
      kind: 'ExecuteTask',
      ti,
      versionId: VERSION_ID,
      bundleKey,
      logKey: taskLogKey(ti),
      token: tokens.issue(ti, 3600),
      queuedAt: new Date().toISOString(),
    };
  }

  function deps(overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps {
    return {
      apiBaseUrl: served.url,
      objectStore,
      workerId: 'worker-a',
      logger: silentLogger,
      bundleLoader,
      fetch: recordingFetch,
      ...overrides,
    };
  }

  return {
    metastore,
    objectStore,
    apiUrl: served.url,
    calls,
    seedRun,
    queue,
    workloadFor,
    deps,
    ti: (workload: ExecuteTaskWorkload) => metastore.getTaskInstance(workload.ti),
    xcom: (workload: ExecuteTaskWorkload, key = 'return_value') => metastore.getXCom(workload.ti, key),
    log: (workload: ExecuteTaskWorkload) => objectStore.getText(workload.logKey),
    async close() {
      await served.close();
      storage.close();
    },
  };
}
