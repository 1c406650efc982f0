import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import { METRIC_NAMES } from '../../../../src/core/metric-names.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { RecordingMetrics } from '../../../../src/core/ports/metrics.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { AttemptConflictError } from '../../../../src/services/execution/errors.ts';
import { TaskExecutionService } from '../../../../src/services/execution/task-execution-service.ts';
import { attemptOf, createApiHarness, type ApiHarness } from '../../http/execution-api/api-harness.ts';

let h: ApiHarness;
let service: TaskExecutionService;
let fastPathCalls = 0;

beforeAll(async () => {
  h = await createApiHarness('exec-service');
  service = new TaskExecutionService({
    metastore: h.metastore,
    objectStore: h.objectStore,
    clock: h.clock,
    logger: silentLogger,
    dagVersions: new DagVersionCache(h.metastore),
    onTaskFinished: async () => {
      fastPathCalls += 1;
    },
    heartbeatIntervalSeconds: 3,
  });
});

afterAll(() => h?.close());

describe('TaskExecutionService under concurrency', () => {
  it('lets exactly one of several concurrent workers start an attempt', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    const workers = ['w1', 'w2', 'w3', 'w4', 'w5'];
    const results = await Promise.allSettled(
      workers.map((workerId) => service.start(extract, extract, { workerId, pid: 1, startDate: h.clock.now() })),
    );
    const started = results.filter((result) => result.status === 'fulfilled');
    expect(started).toHaveLength(1);
    expect((started[0] as PromiseFulfilledResult<{ heartbeatIntervalSeconds: number }>).value.heartbeatIntervalSeconds).toBe(3);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AttemptConflictError);
      expect((result as PromiseRejectedResult).reason).toMatchObject({ reason: 'running_elsewhere' });
    }
    const holder = (await h.ti(extract))?.workerId;
    expect(workers).toContain(holder);
  });

  it('applies a finish delivered twice at once exactly once, and answers both as success', async () => {
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await service.start(extract, extract, { workerId: 'w1', pid: 1, startDate: h.clock.now() });
    const before = fastPathCalls;
    const finish = { state: 'success' as const, workerId: 'w1', endDate: h.clock.now(), retryable: true, returnValue: 'done' };
    await Promise.all([service.finish(extract, extract, finish), service.finish(extract, extract, finish)]);
    expect(await h.ti(extract)).toMatchObject({ state: 'success' });
    expect(await service.getXCom(extract, extract, 'return_value')).toEqual({ key: 'return_value', value: 'done' });
    expect(fastPathCalls - before).toBe(2);
  });

  it('removes large XCom values of an earlier attempt from the object store when a new attempt starts', async () => {
    const run = await h.seedRun();
    const first = attemptOf(run, 'extract', 1);
    await service.start(first, first, { workerId: 'w1', pid: 1, startDate: h.clock.now() });
    await service.setXCom(first, first, 'big', 'x'.repeat(70 * 1024));
    const objectKey = `xcom/etl/${run.runId}/extract/-1/big.json`;
    expect(await h.objectStore.getText(objectKey)).not.toBeNull();
    // The scheduler's heartbeat timeout gave up on the first attempt and queued another.
    await h.metastore.updateTaskInstance(first, { state: 'up_for_retry' }, { state: 'running' });
    const second = attemptOf(run, 'extract', 2);
    await h.queue(second);
    await service.start(second, second, { workerId: 'w2', pid: 2, startDate: h.clock.now() });
    expect(await h.objectStore.getText(objectKey)).toBeNull();
    expect(await h.metastore.listXComs(second)).toEqual([]);
  });
});

describe('TaskExecutionService metrics', () => {
  function serviceWithMetrics(): { metrics: RecordingMetrics; service: TaskExecutionService } {
    const metrics = new RecordingMetrics();
    const service = new TaskExecutionService({
      metastore: h.metastore,
      objectStore: h.objectStore,
      clock: h.clock,
      logger: silentLogger,
      dagVersions: new DagVersionCache(h.metastore),
      onTaskFinished: async () => {},
      metrics,
    });
    return { metrics, service };
  }
  const counted = (metrics: RecordingMetrics) => ({
    successes: metrics.named(METRIC_NAMES.taskSuccesses).reduce((sum, p) => sum + p.value, 0),
    failures: metrics.named(METRIC_NAMES.taskFailures).reduce((sum, p) => sum + p.value, 0),
  });
  const finishOf = (state: 'success' | 'failed', extra: Record<string, unknown> = {}) => ({
    state,
    workerId: 'w1',
    endDate: h.clock.now(),
    retryable: true,
    ...extra,
  });
  async function started(service: TaskExecutionService, attempt: TaskAttemptKey): Promise<void> {
    await service.start(attempt, attempt, { workerId: 'w1', pid: 1, startDate: h.clock.now() });
  }

  it('counts one success per attempt, not per delivery of its finish, and flushes after every finish', async () => {
    const { metrics, service } = serviceWithMetrics();
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await started(service, extract);
    // No return value: the write goes first and a repeat is answered from the stored record.
    await service.finish(extract, extract, finishOf('success'));
    await service.finish(extract, extract, finishOf('success'));
    expect(counted(metrics)).toEqual({ successes: 1, failures: 0 });
    expect(metrics.named(METRIC_NAMES.taskSuccesses)[0]).toMatchObject({ kind: 'count', unit: 'Count', dimensions: {} });
    expect(metrics.flushes).toBe(2);
  });

  it('counts one success when the same finish with a return value arrives twice at once', async () => {
    const { metrics, service } = serviceWithMetrics();
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await started(service, extract);
    const finish = finishOf('success', { returnValue: { rows: 3 } });
    await Promise.all([service.finish(extract, extract, finish), service.finish(extract, extract, finish)]);
    await service.finish(extract, extract, finish);
    expect(counted(metrics)).toEqual({ successes: 1, failures: 0 });
  });

  it('counts a failure of the last try once, and a failed try that will be retried not at all', async () => {
    const { metrics, service } = serviceWithMetrics();
    const run = await h.seedRun();
    // extract has no retries: its failure is final.
    const extract = attemptOf(run, 'extract', 1);
    await started(service, extract);
    expect(await service.finish(extract, extract, finishOf('failed'))).toEqual({ state: 'failed' });
    await service.finish(extract, extract, finishOf('failed'));
    expect(counted(metrics)).toEqual({ successes: 0, failures: 1 });

    // transform has two retries: its first failed try goes to up_for_retry.
    const transform = attemptOf(run, 'transform', 1);
    await h.queue(transform);
    await started(service, transform);
    expect(await service.finish(transform, transform, finishOf('failed'))).toEqual({ state: 'up_for_retry' });
    expect(counted(metrics)).toEqual({ successes: 0, failures: 1 });
  });

  it('counts nothing for a finish it refuses, and still flushes', async () => {
    const { metrics, service } = serviceWithMetrics();
    const extract = attemptOf(await h.seedRun(), 'extract', 1);
    await started(service, extract);
    // Another worker's finish for an attempt it does not hold.
    await expect(service.finish(extract, extract, { ...finishOf('success'), workerId: 'w2' })).rejects.toBeInstanceOf(AttemptConflictError);
    expect(counted(metrics)).toEqual({ successes: 0, failures: 0 });
    expect(metrics.flushes).toBe(1);
  });
});
