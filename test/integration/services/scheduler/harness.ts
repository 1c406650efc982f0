import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import type { TaskInstanceKey } from '../../../../src/core/model/keys.ts';
import type { DagRecord, TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { canRetry, retryDelaySeconds } from '../../../../src/core/scheduling/retry.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

export { RecordingExecutor };

export interface Harness {
  metastore: DynamoDbMetastore;
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

/** Stores a hand-built serialized DAG as the DAG processor would. */
export async function saveDag(
  h: Harness,
  serialized: SerializedDag,
  options: { isPaused?: boolean; nextDagRunCreateAfter?: Date | null; maxActiveRuns?: number } = {},
): Promise<DagRecord> {
  const versionId = `v-${serialized.dagId}`;
  await h.metastore.saveParsedDag({
    dag: {
      dagId: serialized.dagId,
      fileloc: serialized.fileloc,
      isActive: true,
      latestVersionId: versionId,
      description: serialized.description,
      tags: serialized.tags,
      scheduleDescription: serialized.scheduleDescription,
      maxActiveRuns: options.maxActiveRuns ?? serialized.maxActiveRuns,
      lastParsedAt: h.clock.now(),
    },
    version: { dagId: serialized.dagId, versionId, serialized, bundleKey: `bundles/${versionId}.mjs`, createdAt: h.clock.now() },
    pausedAtCreation: options.isPaused ?? false,
    nextDagRunCreateAfter: options.nextDagRunCreateAfter ?? null,
  });
  const dag = await h.metastore.getDag(serialized.dagId);
  if (!dag) throw new Error('the DAG was not saved');
  return dag;
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
