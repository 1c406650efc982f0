import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import { systemClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { Triggerer, type TriggerBatchReport } from '../../../../src/services/triggerer/triggerer.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { bundleDagFile, queueAttempt, seedRunningRun, serveTestExecutionApi, testRunnerDeps } from '../bundled-dag-harness.ts';

/**
 * Deferrable sensors from a bundled DAG file: the runner pokes once and defers, the triggerer polls the
 * trigger through the real Execution API (DynamoDB Local) and S3 (fauxqs), and the resumed try decides.
 */
const DAG_SOURCE = fileURLToPath(new URL('./dags/deferrable-sensor-dag.ts', import.meta.url));
const DAG_ID = 'deferrable_sensor_test';
const VERSION_ID = 'deferrable-sensor-v1';

let storage: Awaited<ReturnType<typeof createEmulatorStorage>>;
let bundle: Awaited<ReturnType<typeof bundleDagFile>>;
let served: Awaited<ReturnType<typeof serveTestExecutionApi>>;
let triggerer: Triggerer;
const tokens = new TaskTokens('deferrable-sensor-secret-0123456789abcdef', systemClock);

beforeAll(async () => {
  storage = await createEmulatorStorage('defsensors');
  bundle = await bundleDagFile(storage, DAG_SOURCE, { versionId: VERSION_ID, now: new Date() });
  served = await serveTestExecutionApi(storage, tokens, {});
  triggerer = new Triggerer({ apiBaseUrl: served.url, logger: silentLogger, s3: storage.s3, bundleLoader: bundle.bundleLoader });
});
afterAll(async () => {
  await served?.close();
  storage?.close();
});

async function seedRun(logicalDate: Date, dagId = DAG_ID, taskIds?: string[]): Promise<DagRunRecord> {
  const tasks = taskIds ? taskIds.map((taskId) => ({ ...bundle.dag.tasks[0]!, taskId })) : bundle.dag.tasks;
  const run = runningManualRun(dagId, VERSION_ID, logicalDate, { bucket: storage.bucket }, new Date());
  return seedRunningRun(storage.metastore, run, tasks);
}

const attempt = (run: DagRunRecord, taskId: string): TaskAttemptKey => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1, tryNumber: 1 });
const run = async (ti: TaskAttemptKey) => runTask(await queueAttempt(storage.metastore, bundle, tokens, ti), testRunnerDeps(served, storage.objectStore, bundle, { s3: storage.s3 }));

/** One triggerer pass over the attempt's stored trigger, as a scheduler tick sends it. */
async function poll(ti: TaskAttemptKey): Promise<TriggerBatchReport> {
  const stored = await storage.metastore.getTaskInstance(ti);
  const trigger = stored!.trigger!;
  const item = { ti, trigger, token: tokens.issue(ti, 3600), versionId: VERSION_ID, bundleKey: bundle.bundleKey };
  return triggerer.runBatch({ kind: 'RunTriggers', triggers: [item], sentAt: new Date().toISOString() });
}

describe('a deferrable s3KeySensor', () => {
  it('defers for each missing key in turn, the triggerer resumes it, and it succeeds once all exist', async () => {
    const r = await seedRun(new Date('2025-05-01T00:00:00Z'));
    const ti = attempt(r, 's3_wait');
    const before = Date.now();
    expect(await run(ti)).toEqual({ kind: 'finished', state: 'deferred' });
    const first = await storage.metastore.getTaskInstance(ti);
    expect(first).toMatchObject({
      state: 'deferred',
      tryNumber: 1,
      nextMethod: 'execute_complete',
      trigger: { kind: 's3_key', kwargs: { bucket: storage.bucket, key: 'drops/2025-05-01/a.csv', wildcardMatch: false } },
    });
    const timeout = first!.triggerTimeout!.getTime();
    expect(timeout).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(timeout).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(await poll(ti)).toMatchObject({ waiting: 1, fired: 0 });

    const put = (key: string) => storage.s3.send(new PutObjectCommand({ Bucket: storage.bucket, Key: key, Body: 'x' }));
    await put('drops/2025-05-01/a.csv');
    expect(await poll(ti)).toMatchObject({ fired: 1 });
    expect(await storage.metastore.getTaskInstance(ti)).toMatchObject({ state: 'scheduled', tryNumber: 1 });

    // Resumed: it pokes both keys again and now waits for the second, within what is left of its timeout.
    expect(await run(ti)).toEqual({ kind: 'finished', state: 'deferred' });
    const second = await storage.metastore.getTaskInstance(ti);
    expect(second!.trigger!.kwargs.key).toBe('drops/2025-05-01/b.csv');
    expect(second!.triggerTimeout!.getTime()).toBeLessThanOrEqual(timeout + 1);

    await put('drops/2025-05-01/b.csv');
    expect(await poll(ti)).toMatchObject({ fired: 1 });
    expect(await run(ti)).toEqual({ kind: 'finished', state: 'success' });
    expect(await storage.metastore.getTaskInstance(ti)).toMatchObject({ state: 'success', tryNumber: 1, nextMethod: null });
    expect(await storage.metastore.getXCom(ti, 'return_value')).toBeNull();
  });
});

describe('a deferrable externalTaskSensor with softFail', () => {
  it('waits through the triggerer and is skipped when the other task fails', async () => {
    const logicalDate = new Date('2025-05-02T00:00:00Z');
    const upstream = await seedRun(logicalDate, 'upstream_dag', ['load']);
    const load = { dagId: 'upstream_dag', runId: upstream.runId, taskId: 'load', mapIndex: -1 };
    await storage.metastore.updateTaskInstance(load, { state: 'running' });
    const r = await seedRun(logicalDate);
    const ti = attempt(r, 'ext_wait');
    expect(await run(ti)).toEqual({ kind: 'finished', state: 'deferred' });
    expect((await storage.metastore.getTaskInstance(ti))!.trigger).toEqual({
      kind: 'external_run',
      kwargs: {
        dagId: 'upstream_dag',
        logicalDate: logicalDate.toISOString(),
        allowedStates: ['success'],
        failedStates: [],
        taskIds: ['load'],
        stopStates: ['failed'],
      },
    });
    expect(await poll(ti)).toMatchObject({ waiting: 1 });

    await storage.metastore.updateTaskInstance(load, { state: 'failed' });
    expect(await poll(ti)).toMatchObject({ fired: 1, failed: 0 });
    expect(await run(ti)).toEqual({ kind: 'finished', state: 'skipped' });
  });
});
