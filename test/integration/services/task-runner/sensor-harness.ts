import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { createSqsClient } from '../../../../src/aws/clients.ts';
import { SqsExecutor } from '../../../../src/aws/sqs/sqs-executor.ts';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../../src/core/model/records.ts';
import { taskLogKey, type ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { serializeDag } from '../../../../src/core/serialization/index.ts';
import { createExecutionApiApp, serveExecutionApi } from '../../../../src/http/execution-api/index.ts';
import { isDag } from '../../../../src/sdk/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { RescheduleDispatch, type RescheduleDispatchOutcome } from '../../../../src/services/scheduler/reschedule-dispatch.ts';
import { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';

/**
 * The sensor DAG (dags/sensor-dag.ts) bundled as the DAG processor bundles it, the Execution API served
 * over HTTP on DynamoDB Local, S3 and an SQS queue on fauxqs, and the reschedule dispatch the API calls
 * when a try is parked in up_for_reschedule.
 */
const SDK_ENTRY = fileURLToPath(new URL('../../../../src/sdk/index.ts', import.meta.url));
const DAG_SOURCE = fileURLToPath(new URL('./dags/sensor-dag.ts', import.meta.url));
export const SENSOR_DAG_ID = 'sensor_test';
const VERSION_ID = 'sensor-v1';

export async function createSensorHarness(prefix: string) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('sensor-test-secret-0123456789abcdefghij', systemClock);
  const sqs = createSqsClient(emulatorClientOptions());
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }))).QueueUrl!;

  const bundled = await build({
    entryPoints: [DAG_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    alias: { 'updraft/sdk': SDK_ENTRY },
  });
  const bundleKey = `bundles/${uniqueName('sensors')}.mjs`;
  await objectStore.put(bundleKey, bundled.outputFiles[0]!.contents, 'text/javascript');
  const bundleLoader = new BundleLoader({ objectStore, cacheDir: await mkdtemp(join(tmpdir(), 'sensor-bundles-')) });
  const dag = Object.values(await bundleLoader.load(bundleKey)).find(isDag);
  if (!dag) throw new Error('the sensor DAG bundle exports no DAG');
  const serialized = serializeDag(dag, 'sensor-dag.ts');
  const now = new Date();
  await metastore.saveParsedDag({
    dag: {
      dagId: SENSOR_DAG_ID,
      fileloc: 'sensor-dag.ts',
      isActive: true,
      latestVersionId: VERSION_ID,
      description: null,
      tags: [],
      scheduleDescription: null,
      maxActiveRuns: 16,
      lastParsedAt: now,
    },
    version: { dagId: SENSOR_DAG_ID, versionId: VERSION_ID, serialized, bundleKey, createdAt: now },
    pausedAtCreation: false,
    nextDagRunCreateAfter: null,
  });

  const dagVersions = new DagVersionCache(metastore);
  const executors = new ExecutorRegistry([new SqsExecutor({ client: sqs, queueUrl })]);
  const dispatch = new RescheduleDispatch({ metastore, executors, tokens, dagVersions, clock: systemClock, logger: silentLogger });
  const dispatched: RescheduleDispatchOutcome[] = [];
  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    dagVersions,
    onTaskFinished: async () => {},
    onTaskRescheduled: async (attempt, rescheduleDate) => void dispatched.push(await dispatch.dispatch(attempt, rescheduleDate)),
    heartbeatIntervalSeconds: 30,
  });
  const served = await serveExecutionApi(app, { port: 0, host: '127.0.0.1' });

  let runs = 0;
  /** A running manual run of `dagId` with an instance (state none) per given task. */
  async function seedRun(options: { dagId?: string; taskIds?: string[]; logicalDate?: Date; conf?: Record<string, unknown> } = {}) {
    runs += 1;
    const dagId = options.dagId ?? SENSOR_DAG_ID;
    const logicalDate = options.logicalDate ?? new Date(Date.UTC(2024, 4, runs));
    const run: DagRunRecord = runningManualRun(dagId, VERSION_ID, logicalDate, options.conf ?? {}, now);
    await metastore.createDagRun(run);
    const tasks = dagId === SENSOR_DAG_ID ? serialized.tasks : (options.taskIds ?? []).map((taskId) => ({ ...serialized.tasks[0]!, taskId }));
    await metastore.createTaskInstances(tasks.map((task) => newTaskInstance(run, task)));
    return run;
  }

  /** Queues the try as the scheduler does; the workload it would send. */
  async function queue(run: DagRunRecord, taskId: string, tryNumber = 1): Promise<ExecuteTaskWorkload> {
    const ti: TaskAttemptKey = { dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1, tryNumber };
    await metastore.updateTaskInstance(ti, { state: 'queued', tryNumber, queuedAt: new Date(), workerId: null });
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
    return { apiBaseUrl: served.url, objectStore, workerId: 'worker-a', logger: silentLogger, bundleLoader, s3: storage.s3, ...overrides };
  }

  return {
    storage,
    metastore,
    sqs,
    queueUrl,
    dispatched,
    seedRun,
    queue,
    deps,
    ti: (workload: ExecuteTaskWorkload) => metastore.getTaskInstance(workload.ti),
    async close() {
      await served.close();
      sqs.destroy();
      storage.close();
    },
  };
}
