import { fileURLToPath } from 'node:url';
import { runningManualRun } from '../../../support/dag-runs.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { bundleDagFile, queueAttempt, seedRunningRun, serveTestExecutionApi, testRunnerDeps } from '../bundled-dag-harness.ts';

/**
 * The runner and the triggerer against the real Execution API (served over HTTP, on DynamoDB Local) and
 * S3 on fauxqs, with dags/deferral-dag.ts bundled by esbuild as the DAG processor bundles DAG files.
 */

const DAG_SOURCE = fileURLToPath(new URL('./dags/deferral-dag.ts', import.meta.url));
export const DAG_ID = 'deferral_test';
const VERSION_ID = 'deferral-v1';

export async function createDeferralHarness(prefix: string) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('deferral-test-secret-0123456789abcdefghij', systemClock);
  const now = new Date();
  const bundle = await bundleDagFile(storage, DAG_SOURCE, { versionId: VERSION_ID, now });
  const { bundleKey, bundleLoader } = bundle;
  const finished: string[] = [];
  const served = await serveTestExecutionApi(storage, tokens, { onTaskFinished: async (run) => void finished.push(run.runId) });

  let runs = 0;
  async function seedRun(conf: Record<string, unknown> = {}): Promise<DagRunRecord> {
    runs += 1;
    return seedRunningRun(metastore, runningManualRun(DAG_ID, VERSION_ID, new Date(Date.UTC(2025, 0, runs)), conf, now), bundle.dag.tasks);
  }

  function attempt(run: DagRunRecord, taskId: string, tryNumber = 1): TaskAttemptKey {
    return { dagId: DAG_ID, runId: run.runId, taskId, mapIndex: -1, tryNumber };
  }

  /** Queues the attempt (a new try, or the same try resuming) and returns its workload. */
  async function queue(ti: TaskAttemptKey): Promise<ExecuteTaskWorkload> {
    return queueAttempt(metastore, bundle, tokens, ti);
  }

  const runnerDeps = (overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps => testRunnerDeps(served, objectStore, bundle, overrides);

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
