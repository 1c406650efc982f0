import type { DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { encodeTaskInstanceId, type DagRunKey, type TaskAttemptKey, type TaskInstanceKey } from '../../../../src/core/model/keys.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { createExecutionApiApp, HEAD_API_VERSION } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import type { StartedAttempt } from '../../../../src/services/execution/attempt-messages.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';

/**
 * The Execution API app over the real DynamoDB and S3 adapters on the emulators, with a DAG
 * `etl`: extract → transform → load, where load also takes extract's return value as an argument.
 */

export const SECRET = 'execution-api-test-secret-0123456789abcdef';
export const DAG_ID = 'etl';
export const VERSION_ID = 'v1';

function task(taskId: string, overrides: Partial<SerializedTask> = {}): SerializedTask {
  return serializedTask(taskId, overrides.upstreamTaskIds ?? [], { operator: 'taskflow', ...overrides });
}

export const DAG: SerializedDag = {
  formatVersion: 1,
  dagId: DAG_ID,
  fileloc: 'etl.ts',
  description: null,
  tags: [],
  timetable: { type: 'null' },
  scheduleDescription: null,
  startDate: null,
  endDate: null,
  timezone: 'UTC',
  catchup: false,
  maxActiveRuns: 16,
  maxActiveTasks: 16,
  params: { region: { default: 'eu' }, limit: { default: 10, type: 'integer' } },
  tasks: [
    task('extract'),
    task('transform', { upstreamTaskIds: ['extract'], retries: 2, retryDelaySeconds: 60 }),
    task('load', { upstreamTaskIds: ['transform'], args: [{ kind: 'xcom', taskId: 'extract', key: 'return_value' }] }),
  ],
};

export interface RecordingLogger extends Logger {
  errors: Array<{ message: string; attributes?: Record<string, unknown> }>;
}

function recordingLogger(): RecordingLogger {
  const errors: RecordingLogger['errors'] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (message, attributes) => errors.push({ message, attributes }) };
}

export type ApiHarness = Awaited<ReturnType<typeof createApiHarness>>;

export interface HarnessOptions {
  /** Replaces the recording fast path (e.g. with the real scheduler). */
  onTaskFinished?: (run: DagRunKey, deps: { metastore: DynamoDbMetastore; clock: ManualClock; tokens: TaskTokens }) => Promise<void>;
}

export async function createApiHarness(prefix: string, harnessOptions: HarnessOptions = {}) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const tokens = new TaskTokens(SECRET, clock);
  const logger = recordingLogger();
  const finishedRuns: DagRunKey[] = [];
  const fastPath = { fail: false };
  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock,
    logger,
    dagVersions: new DagVersionCache(metastore),
    onTaskFinished: async (run) => {
      finishedRuns.push(run);
      if (fastPath.fail) throw new Error('scheduler unavailable');
      await harnessOptions.onTaskFinished?.(run, { metastore, clock, tokens });
    },
  });

  await metastore.saveParsedDag({
    dag: {
      dagId: DAG_ID,
      fileloc: DAG.fileloc,
      isActive: true,
      latestVersionId: VERSION_ID,
      description: null,
      tags: [],
      scheduleDescription: null,
      maxActiveRuns: 16,
      lastParsedAt: clock.now(),
    },
    version: { dagId: DAG_ID, versionId: VERSION_ID, serialized: DAG, bundleKey: 'bundles/etl.mjs', createdAt: clock.now() },
    pausedAtCreation: false,
    nextDagRunCreateAfter: null,
  });

  let runs = 0;

  /** A running DAG run with every task instance created and `extract` queued for attempt 1. */
  async function seedRun(conf: Record<string, unknown> = { limit: 5, unrelated: true }): Promise<DagRunRecord> {
    runs += 1;
    const logicalDate = new Date(Date.UTC(2026, 0, runs));
    const run = runningManualRun(DAG_ID, VERSION_ID, logicalDate, conf, clock.now());
    await metastore.createDagRun(run);
    await metastore.createTaskInstances(
      DAG.tasks.map((t) => newTaskInstance(run, t)),
    );
    await queue(attemptOf(run, 'extract', 1));
    return run;
  }

  /** What the scheduler does before it hands a workload to an executor. */
  async function queue(attempt: TaskAttemptKey): Promise<void> {
    await metastore.updateTaskInstance(attempt, {
      state: 'queued',
      tryNumber: attempt.tryNumber,
      queuedAt: clock.now(),
      workerId: null,
      nextRetryAt: null,
    });
  }

  async function request(
    method: string,
    path: string,
    init: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'Updraft-Api-Version': HEAD_API_VERSION, ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return app.request(path, { method, headers, body });
  }

  const token = (attempt: TaskAttemptKey, ttlSeconds = 3600) => tokens.issue(attempt, ttlSeconds);
  const api = {
    start: (attempt: TaskAttemptKey, workerId = 'worker-1', as = attempt) =>
      request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(attempt)}/run`, {
        token: token(as),
        body: { workerId, pid: 4242, startDate: clock.now().toISOString() },
      }),
    heartbeat: (attempt: TaskAttemptKey, workerId = 'worker-1') =>
      request('PUT', `/execution/task-instances/${encodeTaskInstanceId(attempt)}/heartbeat`, {
        token: token(attempt),
        body: { workerId },
      }),
    finish: (attempt: TaskAttemptKey, body: Record<string, unknown>) =>
      request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(attempt)}/state`, {
        token: token(attempt),
        body: { workerId: 'worker-1', endDate: clock.now().toISOString(), ...body },
      }),
    getXCom: (as: TaskAttemptKey, target: TaskInstanceKey, key: string) =>
      request('GET', `/execution/xcoms/${encodeTaskInstanceId(target)}/${encodeURIComponent(key)}`, { token: token(as) }),
    setXCom: (as: TaskAttemptKey, target: TaskInstanceKey, key: string, value: unknown) =>
      request('POST', `/execution/xcoms/${encodeTaskInstanceId(target)}/${encodeURIComponent(key)}`, {
        token: token(as),
        body: { value },
      }),
  };

  return {
    app,
    metastore,
    objectStore,
    clock,
    tokens,
    logger,
    finishedRuns,
    fastPath,
    seedRun,
    queue,
    request,
    token,
    api,
    ti: (attempt: TaskInstanceKey) => metastore.getTaskInstance(attempt),
    close: () => storage.close(),
  };
}

export function attemptOf(run: DagRunKey, taskId: string, tryNumber: number): TaskAttemptKey {
  return { dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1, tryNumber };
}

export async function detailOf(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as { detail: Record<string, unknown> };
  return body.detail;
}

/** The start answer's body, typed as the server declares it. */
export async function startedOf(response: Response): Promise<StartedAttempt> {
  return (await response.json()) as StartedAttempt;
}
