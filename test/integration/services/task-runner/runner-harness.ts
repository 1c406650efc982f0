import { fileURLToPath } from 'node:url';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import {
  bundleDagFile,
  executeTaskWorkload,
  queueAttempt,
  seedRunningRun,
  serveTestExecutionApi,
  testRunnerDeps,
} from '../bundled-dag-harness.ts';

/**
 * The runner against the real Execution API (served over HTTP, on DynamoDB Local) and S3 on fauxqs,
 * with the test DAG bundled by esbuild as the DAG processor bundles DAG files.
 */

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
  const now = new Date();
  const bundle = await bundleDagFile(storage, DAG_SOURCE, {
    versionId: VERSION_ID,
    now,
    sourcemap: true,
    // A task the version's serialized DAG names but its bundle does not define.
    adjust: (serialized) => void serialized.tasks.push({ ...serialized.tasks.find((t) => t.taskId === 'flaky')!, taskId: 'ghost', retries: 2 }),
  });

  const served: ServedApi = await serveTestExecutionApi(storage, tokens, {
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 30,
  });

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
    return seedRunningRun(metastore, runningManualRun(DAG_ID, VERSION_ID, logicalDate, conf, now), bundle.dag.tasks);
  }

  /** Queues an attempt as the scheduler does, and returns the workload it would send. */
  async function queue(run: DagRunRecord, taskId: string, tryNumber = 1): Promise<ExecuteTaskWorkload> {
    return queueAttempt(metastore, bundle, tokens, { dagId: DAG_ID, runId: run.runId, taskId, mapIndex: -1, tryNumber });
  }

  function workloadFor(ti: TaskAttemptKey): ExecuteTaskWorkload {
    return executeTaskWorkload(bundle, tokens, ti);
  }

  function deps(overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps {
    return testRunnerDeps(served, objectStore, bundle, { fetch: recordingFetch, ...overrides });
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
