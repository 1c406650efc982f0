import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runningManualRun } from '../../../support/dag-runs.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import { taskLogKey, type ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { serializeDag } from '../../../../src/core/serialization/index.ts';
import { createExecutionApiApp, serveExecutionApi } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { isDag } from '../../../../src/sdk/index.ts';
import { uniqueName } from '../../../support/aws.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';

/**
 * The runner and the triggerer against the real Execution API (served over HTTP, on DynamoDB Local) and
 * S3 on fauxqs, with dags/deferral-dag.ts bundled by esbuild as the DAG processor bundles DAG files.
 */

const SDK_ENTRY = fileURLToPath(new URL('../../../../src/sdk/index.ts', import.meta.url));
const DAG_SOURCE = fileURLToPath(new URL('./dags/deferral-dag.ts', import.meta.url));
export const DAG_ID = 'deferral_test';
const VERSION_ID = 'deferral-v1';

export async function createDeferralHarness(prefix: string) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('deferral-test-secret-0123456789abcdefghij', systemClock);
  const bundled = await build({
    entryPoints: [DAG_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    alias: { 'updraft/sdk': SDK_ENTRY },
  });
  const bundleKey = `bundles/${uniqueName('deferral')}.mjs`;
  await objectStore.put(bundleKey, bundled.outputFiles[0]!.contents, 'text/javascript');
  const bundleLoader = new BundleLoader({ objectStore, cacheDir: await mkdtemp(join(tmpdir(), 'deferral-bundles-')) });
  const dag = Object.values(await bundleLoader.load(bundleKey)).find(isDag);
  if (!dag) throw new Error('the deferral test DAG bundle exports no DAG');
  const serialized = serializeDag(dag, 'deferral-dag.ts');
  const now = new Date();
  await metastore.saveParsedDag({
    dag: {
      dagId: DAG_ID,
      fileloc: 'deferral-dag.ts',
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
  const finished: string[] = [];
  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    dagVersions: new DagVersionCache(metastore),
    onTaskFinished: async (run) => void finished.push(run.runId),
  });
  const served = await serveExecutionApi(app, { port: 0, host: '127.0.0.1' });

  let runs = 0;
  async function seedRun(conf: Record<string, unknown> = {}): Promise<DagRunRecord> {
    runs += 1;
    const run = runningManualRun(DAG_ID, VERSION_ID, new Date(Date.UTC(2025, 0, runs)), conf, now);
    await metastore.createDagRun(run);
    await metastore.createTaskInstances(serialized.tasks.map((t) => newTaskInstance(run, t)));
    return run;
  }

  function attempt(run: DagRunRecord, taskId: string, tryNumber = 1): TaskAttemptKey {
    return { dagId: DAG_ID, runId: run.runId, taskId, mapIndex: -1, tryNumber };
  }

  /** Queues the attempt (a new try, or the same try resuming) and returns its workload. */
  async function queue(ti: TaskAttemptKey): Promise<ExecuteTaskWorkload> {
    await metastore.updateTaskInstance(ti, { state: 'queued', tryNumber: ti.tryNumber, queuedAt: new Date(), workerId: null });
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

  const runnerDeps = (overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps => ({
    apiBaseUrl: served.url,
    objectStore,
    workerId: 'worker-a',
    logger: silentLogger,
    bundleLoader,
    ...overrides,
  });

  return {
    storage,
    metastore,
    objectStore,
    tokens,
    bundleKey,
    versionId: VERSION_ID,
    bundleLoader,
    apiUrl: served.url,
    finished,
    seedRun,
    attempt,
    queue,
    runnerDeps,
    ti: (key: TaskAttemptKey) => metastore.getTaskInstance(key),
    async close() {
      await served.close();
      storage.close();
    },
  };
}
