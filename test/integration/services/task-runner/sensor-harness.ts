import { fileURLToPath } from 'node:url';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../../../src/aws/clients.ts';
import { SqsExecutor } from '../../../../src/aws/sqs/sqs-executor.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { RescheduleDispatch, type RescheduleDispatchOutcome } from '../../../../src/services/scheduler/reschedule-dispatch.ts';
import type { TaskRunnerDeps } from '../../../../src/services/task-runner/run-task.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { bundleDagFile, queueAttempt, seedRunningRun, serveTestExecutionApi, testRunnerDeps } from '../bundled-dag-harness.ts';

/**
 * The sensor DAG (dags/sensor-dag.ts) bundled as the DAG processor bundles it, the Execution API served
 * over HTTP on DynamoDB Local, S3 and an SQS queue on fauxqs, and the reschedule dispatch the API calls
 * when a try is parked in up_for_reschedule.
 */
const DAG_SOURCE = fileURLToPath(new URL('./dags/sensor-dag.ts', import.meta.url));
export const SENSOR_DAG_ID = 'sensor_test';
const VERSION_ID = 'sensor-v1';

export async function createSensorHarness(prefix: string) {
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const tokens = new TaskTokens('sensor-test-secret-0123456789abcdefghij', systemClock);
  const sqs = createSqsClient(emulatorClientOptions());
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }))).QueueUrl!;

  const now = new Date();
  const bundle = await bundleDagFile(storage, DAG_SOURCE, { versionId: VERSION_ID, now });
  const serialized = bundle.dag;

  const dagVersions = new DagVersionCache(metastore);
  const executors = new ExecutorRegistry([new SqsExecutor({ client: sqs, queueUrl })]);
  const dispatch = new RescheduleDispatch({ metastore, executors, tokens, dagVersions, clock: systemClock, logger: silentLogger });
  const dispatched: RescheduleDispatchOutcome[] = [];
  const served = await serveTestExecutionApi(storage, tokens, {
    dagVersions,
    onTaskRescheduled: async (attempt, rescheduleDate) => void dispatched.push(await dispatch.dispatch(attempt, rescheduleDate)),
    heartbeatIntervalSeconds: 30,
  });

  let runs = 0;
  /** A running manual run of `dagId` with an instance (state none) per given task. */
  async function seedRun(options: { dagId?: string; taskIds?: string[]; logicalDate?: Date; conf?: Record<string, unknown> } = {}) {
    runs += 1;
    const dagId = options.dagId ?? SENSOR_DAG_ID;
    const logicalDate = options.logicalDate ?? new Date(Date.UTC(2024, 4, runs));
    const run: DagRunRecord = runningManualRun(dagId, VERSION_ID, logicalDate, options.conf ?? {}, now);
    const tasks = dagId === SENSOR_DAG_ID ? serialized.tasks : (options.taskIds ?? []).map((taskId) => ({ ...serialized.tasks[0]!, taskId }));
    return seedRunningRun(metastore, run, tasks);
  }

  /** Queues the try as the scheduler does; the workload it would send. */
  async function queue(run: DagRunRecord, taskId: string, tryNumber = 1): Promise<ExecuteTaskWorkload> {
    return queueAttempt(metastore, bundle, tokens, { dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1, tryNumber });
  }

  function deps(overrides: Partial<TaskRunnerDeps> = {}): TaskRunnerDeps {
    return testRunnerDeps(served, objectStore, bundle, { s3: storage.s3, ...overrides });
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
