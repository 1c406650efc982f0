import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry, type ExecutorCapabilities } from '../../../../src/core/ports/executor.ts';
import type { PoolRecord, PoolStore } from '../../../../src/core/ports/pool-store.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import type { Endpoint } from '../../../../src/http/rest-api/endpoint.ts';
import { TASK_INSTANCE_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/task-instances.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
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
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
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
  return { app, metastore, objectStore, clock, logger, executor, authManager, close: () => storage.close() };
}

export type TaskInstanceHarness = Awaited<ReturnType<typeof createTaskInstanceHarness>>;

/** Stores a DAG and its version as the DAG processor would; answers the version id. */
export function saveDag(h: TaskInstanceHarness, serialized: SerializedDag): Promise<string> {
  return saveSerializedDag(h.metastore, serialized, h.clock.now());
}

/** Seeds a run and its task instances in the given states (try 1 for anything that ran). */
export async function seedRun(
  h: TaskInstanceHarness,
  run: DagRunRecord,
  dag: SerializedDag,
  states: Record<string, Partial<TaskInstanceRecord>>,
): Promise<void> {
  await h.metastore.createDagRun(run);
  await h.metastore.createTaskInstances(dag.tasks.map((task) => ({ ...newTaskInstance(run, task), ...states[task.taskId] })));
}
