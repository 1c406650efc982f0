import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import type { TaskInstanceKey } from '../../../../src/core/model/keys.ts';
import type { DagRecord, DagRunRecord, TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { canRetry, retryDelaySeconds } from '../../../../src/core/scheduling/retry.ts';
import { TaskInstanceClearer } from '../../../../src/services/clearing/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { saveSerializedDag, type SaveDagOptions } from '../../../support/parsed-dags.ts';

export { RecordingExecutor };

export interface Harness {
  metastore: DynamoDbMetastore;
  /** The metastore's table, for stores that share it. */
  tableName: string;
  clock: ManualClock;
  executor: RecordingExecutor;
  deps: (overrides?: Partial<SchedulerDeps>) => SchedulerDeps;
}

export async function createHarness(prefix: string, start = '2024-01-10T12:00:00Z'): Promise<Harness> {
  const client = createDynamoDbClient(emulatorClientOptions());
  const tableName = uniqueName(prefix);
  await createMetastoreTable(client, tableName);
  const metastore = new DynamoDbMetastore({ client, tableName });
  const clock = new ManualClock(start);
  const executor = new RecordingExecutor();
  const tokens = new TaskTokens('a-test-signing-key-of-at-least-32-bytes', clock);
  const dagVersions = new DagVersionCache(metastore);
  return {
    metastore,
    tableName,
    clock,
    executor,
    deps: (overrides = {}) => ({
      metastore,
      executors: new ExecutorRegistry([executor]),
      clock,
      tokens,
      logger: silentLogger,
      dagVersions,
      settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'scheduler-a' },
      ...overrides,
    }),
  };
}

/** A clearer on the harness's metastore, clock and executor, with a bucket of its own for task logs. */
export async function createClearer(h: Harness, prefix: string): Promise<TaskInstanceClearer> {
  const s3 = createS3Client(emulatorClientOptions(), {});
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return new TaskInstanceClearer({
    metastore: h.metastore,
    objectStore: new S3ObjectStore({ client: s3, bucket }),
    clock: h.clock,
    logger: silentLogger,
    executors: new ExecutorRegistry([h.executor]),
  });
}

/** Stores a hand-built serialized DAG as the DAG processor would; answers the DAG as stored. */
export async function saveDag(h: Harness, serialized: SerializedDag, options: SaveDagOptions = {}): Promise<DagRecord> {
  await saveSerializedDag(h.metastore, serialized, h.clock.now(), options);
  const dag = await h.metastore.getDag(serialized.dagId);
  if (!dag) throw new Error('the DAG was not saved');
  return dag;
}

/** Saves a DAG and a running manual run of it (logical date now), as if the tick had just started it. */
export async function saveRunningRun(h: Harness, serialized: SerializedDag): Promise<DagRunRecord> {
  await saveDag(h, serialized);
  const dagId = serialized.dagId;
  const now = h.clock.now();
  const run: DagRunRecord = {
    dagId,
    runId: 'manual__2024-01-10T12:00:00+00:00',
    state: 'running',
    runType: 'manual',
    logicalDate: now,
    dataInterval: { start: now, end: now },
    runAfter: now,
    versionId: `v-${dagId}`,
    conf: {},
    queuedAt: now,
    startDate: now,
    endDate: null,
    revision: 0,
  };
  await h.metastore.createDagRun(run);
  return run;
}

export async function tiStates(h: Harness, run: { dagId: string; runId: string }): Promise<Record<string, string>> {
  const tis = await h.metastore.listTaskInstances(run);
  return Object.fromEntries(tis.map((ti) => [ti.taskId, ti.state]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

export async function getTi(h: Harness, run: { dagId: string; runId: string }, taskId: string): Promise<TaskInstanceRecord> {
  const ti = await h.metastore.getTaskInstance({ ...run, taskId, mapIndex: -1 });
  if (!ti) throw new Error(`no task instance ${taskId}`);
  return ti;
}

/** What a worker does through the Execution API: the start gate (queued → running). */
export async function startAttempt(h: Harness, key: TaskInstanceKey, workerId = 'worker-1'): Promise<TaskInstanceRecord> {
  const ti = await h.metastore.getTaskInstance(key);
  if (!ti) throw new Error('no such task instance');
  const now = h.clock.now();
  return h.metastore.updateTaskInstance(
    key,
    { state: 'running', workerId, startDate: now, lastHeartbeatAt: now },
    { state: 'queued', tryNumber: ti.tryNumber },
  );
}

/** What the Execution API's finish does: success, or failed → up_for_retry while tries remain. */
export async function finishAttempt(
  h: Harness,
  key: TaskInstanceKey,
  outcome: 'success' | 'failed' | 'skipped',
  retry: { retryDelaySeconds: number; logicalDate: Date } = { retryDelaySeconds: 0, logicalDate: new Date(0) },
): Promise<TaskInstanceRecord> {
  const ti = await h.metastore.getTaskInstance(key);
  if (!ti) throw new Error('no such task instance');
  const now = h.clock.now();
  const condition = { state: 'running' as const, tryNumber: ti.tryNumber, workerId: ti.workerId };
  if (outcome === 'failed' && canRetry(ti.tryNumber, ti.maxTries)) {
    const delay = retryDelaySeconds(
      { retryDelaySeconds: retry.retryDelaySeconds, retryExponentialBackoff: false, maxRetryDelaySeconds: null },
      { ...key, logicalDate: retry.logicalDate, tryNumber: ti.tryNumber },
    );
    return h.metastore.updateTaskInstance(key, { state: 'up_for_retry', endDate: now, nextRetryAt: new Date(now.getTime() + delay * 1000) }, condition);
  }
  return h.metastore.updateTaskInstance(key, { state: outcome, endDate: now }, condition);
}

/** Starts and finishes every queued attempt the executor received for a run and that is still queued. */
export async function runQueued(h: Harness, run: { dagId: string; runId: string }, outcome: (taskId: string) => 'success' | 'failed' | 'skipped') {
  for (const ti of await h.metastore.listTaskInstances(run)) {
    if (ti.state !== 'queued') continue;
    await startAttempt(h, ti);
    await finishAttempt(h, ti, outcome(ti.taskId));
  }
}
