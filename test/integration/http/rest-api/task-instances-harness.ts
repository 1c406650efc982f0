import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry, type ExecutorCapabilities } from '../../../../src/core/ports/executor.ts';
import type { PoolRecord, PoolStore } from '../../../../src/core/ports/pool-store.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import type { Endpoint } from '../../../../src/http/rest-api/endpoint.ts';
import { TASK_INSTANCE_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/task-instances.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { NOW, recordingLogger } from './rest-api-harness.ts';

/** The task instance endpoints over DynamoDB Local and the S3 emulator, with an executor that records stops. */

export class StoppingExecutor extends RecordingExecutor {
  override readonly capabilities: ExecutorCapabilities = {
    isLocal: true,
    isProduction: false,
    supportsCallbacks: false,
    servesLogs: true,
    supportsDelayedStart: false,
  };
  readonly stopped: Array<{ taskId: string; tryNumber: number; reason: string }> = [];
  containerLines: string[] = [];

  override async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    this.stopped.push({ taskId: ti.taskId, tryNumber: ti.tryNumber, reason });
  }

  override async getTaskLog(_ti: TaskAttemptKey, externalId: string | null) {
    return { messages: [`container ${externalId ?? 'unknown'}`], lines: this.containerLines };
  }
}

const memoryPools = (): PoolStore => {
  const pools = new Map<string, PoolRecord>();
  return {
    getPool: async (name) => pools.get(name) ?? null,
    listPools: async () => [...pools.values()],
    putPool: async (pool) => void pools.set(pool.name, pool),
    deletePool: async (name) => pools.delete(name),
  };
};

export async function createTaskInstanceHarness(
  prefix: string,
  options: { endpoints?: readonly Endpoint[]; auth?: TestAuthManager } = {},
) {
  const clientOptions = emulatorClientOptions();
  const dynamo = createDynamoDbClient(clientOptions);
  const tableName = uniqueName(prefix);
  await createMetastoreTable(dynamo, tableName);
  const metastore = new DynamoDbMetastore({ client: dynamo, tableName });
  const s3 = createS3Client(clientOptions, {});
  const bucket = uniqueName(prefix).toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const objectStore = new S3ObjectStore({ client: s3, bucket });
  const clock = new ManualClock(NOW);
  const logger = recordingLogger();
  const executor = new StoppingExecutor('lambda');
  const authManager = options.auth ?? new TestAuthManager();
  const app = createRestApiApp({
    metastore,
    objectStore,
    pools: memoryPools(),
    authManager,
    clock,
    logger,
    version: '9.8.7',
    executors: new ExecutorRegistry([executor]),
    endpoints: options.endpoints ?? TASK_INSTANCE_ENDPOINTS,
  });
  const close = () => {
    dynamo.destroy();
    s3.destroy();
  };
  return { app, metastore, objectStore, clock, logger, executor, authManager, close };
}

export type TaskInstanceHarness = Awaited<ReturnType<typeof createTaskInstanceHarness>>;

/** Stores a DAG and its version as the DAG processor would. */
export async function saveDag(h: TaskInstanceHarness, serialized: SerializedDag): Promise<string> {
  const versionId = `v-${serialized.dagId}`;
  await h.metastore.saveParsedDag({
    dag: {
      dagId: serialized.dagId,
      fileloc: serialized.fileloc,
      isActive: true,
      latestVersionId: versionId,
      description: null,
      tags: serialized.tags,
      scheduleDescription: null,
      maxActiveRuns: 16,
      lastParsedAt: h.clock.now(),
    },
    version: { dagId: serialized.dagId, versionId, serialized, bundleKey: `bundles/${versionId}.mjs`, createdAt: h.clock.now() },
    pausedAtCreation: false,
    nextDagRunCreateAfter: null,
  });
  return versionId;
}

/** Seeds a run and its task instances in the given states (try 1 for anything that ran). */
export async function seedRun(
  h: TaskInstanceHarness,
  run: DagRunRecord,
  dag: SerializedDag,
  states: Record<string, Partial<TaskInstanceRecord>>,
): Promise<void> {
  await h.metastore.createDagRun(run);
  const base = (taskId: string): TaskInstanceRecord => {
    const task = dag.tasks.find((t) => t.taskId === taskId)!;
    return {
      dagId: run.dagId,
      runId: run.runId,
      taskId,
      mapIndex: -1,
      state: 'none',
      tryNumber: 0,
      maxTries: task.retries + 1,
      operator: task.operator,
      executor: null,
      pool: task.pool,
      priorityWeight: task.priorityWeight,
      queuedAt: null,
      startDate: null,
      endDate: null,
      lastHeartbeatAt: null,
      nextRetryAt: null,
      rescheduleDate: null,
      trigger: null,
      triggerTimeout: null,
      nextMethod: null,
      nextKwargs: null,
      workerId: null,
      externalExecutorId: null,
    };
  };
  await h.metastore.createTaskInstances(dag.tasks.map((task) => ({ ...base(task.taskId), ...states[task.taskId] })));
}
