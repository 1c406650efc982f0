import { beforeEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../../../src/core/metric-names.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import type { Metastore } from '../../../../src/core/ports/metastore.ts';
import { RecordingMetrics } from '../../../../src/core/ports/metrics.ts';
import { SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, getTi, saveRunningRun, startAttempt, type Harness } from './harness.ts';

/** Each test gets its own table: heartbeats and import errors are table-wide. */
let h: Harness;
let metrics: RecordingMetrics;
let tables = 0;

beforeEach(async () => {
  tables += 1;
  h = await createHarness(`sched-metrics-${tables}`);
  metrics = new RecordingMetrics();
});

const tickWith = (overrides: { metastore?: Metastore; logger?: Logger; schedulerId?: string } = {}) =>
  new SchedulerTick(
    h.deps({
      metrics,
      ...(overrides.metastore ? { metastore: overrides.metastore } : {}),
      ...(overrides.logger ? { logger: overrides.logger } : {}),
      settings: { ...h.deps().settings, schedulerId: overrides.schedulerId ?? 'scheduler-a' },
    }),
  );

/** The metastore with one method replaced: a fault or a slow read, on top of the real tables. */
function withMethod<K extends keyof Metastore>(metastore: Metastore, name: K, replacement: Metastore[K]): Metastore {
  return new Proxy(metastore, {
    get(target, property, receiver) {
      if (property === name) return replacement;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const values = (name: string) => metrics.named(name).map((point) => point.value);

describe('SchedulerTick metrics', () => {
  it('emits one heartbeat, the tick duration and the import error count per tick, and flushes them', async () => {
    // A slow listing: the duration is what the injected clock saw between start and end.
    const slow = withMethod(h.metastore, 'listDags', async () => {
      h.clock.advanceSeconds(2.5);
      return h.metastore.listDags();
    });
    await tickWith({ metastore: slow }).tick();

    expect(metrics.named(METRIC_NAMES.schedulerHeartbeat)).toEqual([
      { name: 'scheduler_heartbeat', value: 1, unit: 'Count', dimensions: {}, kind: 'count' },
    ]);
    expect(metrics.named(METRIC_NAMES.schedulerTickDuration)).toEqual([
      { name: 'scheduler.tick_duration', value: 2500, unit: 'Milliseconds', dimensions: {}, kind: 'timing' },
    ]);
    expect(metrics.named(METRIC_NAMES.dagImportErrors)).toEqual([
      { name: 'dag_processing.import_errors', value: 0, unit: 'Count', dimensions: {}, kind: 'gauge' },
    ]);
    // The first tick ever has no earlier heartbeat to measure from.
    expect(metrics.named(METRIC_NAMES.schedulerSecondsSinceLastTick)).toEqual([]);
    expect(metrics.flushes).toBe(1);
  });

  it('reports the seconds since the previous tick of any scheduler, read before this tick heartbeats', async () => {
    await tickWith({ schedulerId: 'scheduler-a' }).tick();
    h.clock.advanceSeconds(60);
    await tickWith({ schedulerId: 'scheduler-b' }).tick();
    h.clock.advanceSeconds(185);
    await tickWith({ schedulerId: 'scheduler-a' }).tick();

    expect(metrics.named(METRIC_NAMES.schedulerSecondsSinceLastTick)).toEqual([
      { name: 'scheduler.seconds_since_last_tick', value: 60, unit: 'Seconds', dimensions: {}, kind: 'gauge' },
      { name: 'scheduler.seconds_since_last_tick', value: 185, unit: 'Seconds', dimensions: {}, kind: 'gauge' },
    ]);
    expect(values(METRIC_NAMES.schedulerHeartbeat)).toEqual([1, 1, 1]);
    expect((await h.metastore.getLatestSchedulerHeartbeat())?.at).toEqual(h.clock.now());
  });

  it('reports how many DAG files fail to import now', async () => {
    for (const fileloc of ['broken.ts', 'typo.ts']) {
      await h.metastore.putImportError({ fileloc, message: 'SyntaxError', line: 3, timestamp: h.clock.now() });
    }
    await tickWith().tick();
    await h.metastore.deleteImportError('typo.ts');
    await tickWith().tick();
    expect(values(METRIC_NAMES.dagImportErrors)).toEqual([2, 1]);
  });

  it('skips a metric whose read fails, with a warning, and still ticks and heartbeats', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) };
    let faulty = withMethod(h.metastore, 'listImportErrors', async () => {
      throw new Error('throttled');
    });
    faulty = withMethod(faulty, 'getLatestSchedulerHeartbeat', async () => {
      throw new Error('throttled');
    });
    await tickWith().tick();
    h.clock.advanceSeconds(60);
    metrics.clear();

    const report = await tickWith({ metastore: faulty, logger }).tick();
    expect(report.errors).toBe(0);
    expect(metrics.named(METRIC_NAMES.dagImportErrors)).toEqual([]);
    expect(metrics.named(METRIC_NAMES.schedulerSecondsSinceLastTick)).toEqual([]);
    expect(values(METRIC_NAMES.schedulerHeartbeat)).toEqual([1]);
    // The heartbeat itself is still written.
    expect((await h.metastore.getLatestSchedulerHeartbeat())?.at).toEqual(h.clock.now());
    // The reads run concurrently, so the warnings may come in either order.
    expect(warnings).toHaveLength(2);
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('latest scheduler heartbeat'), expect.stringContaining('the import errors')]),
    );
    expect(warnings.every((w) => w.includes('throttled'))).toBe(true);
  });

  it('emits no heartbeat for a tick that fails, but still its duration', async () => {
    const broken = withMethod(h.metastore, 'listActiveDagRuns', async () => {
      throw new Error('table not found');
    });
    await expect(tickWith({ metastore: broken }).tick()).rejects.toThrow('table not found');
    expect(metrics.named(METRIC_NAMES.schedulerHeartbeat)).toEqual([]);
    expect(metrics.named(METRIC_NAMES.schedulerTickDuration)).toHaveLength(1);
    expect(metrics.flushes).toBe(1);
  });

  it('counts a task the scheduler fails on its last try once, and not one it puts up for retry', async () => {
    const run = await saveRunningRun(h, dag('zombies', [task('last_try'), task('has_retries', [], { retries: 1 })]));
    await tickWith().tick();
    for (const taskId of ['last_try', 'has_retries']) await startAttempt(h, { ...run, taskId, mapIndex: -1 });

    // Both workers stop heartbeating; the scheduler gives up on both attempts.
    h.clock.advanceSeconds(301);
    await tickWith().tick();
    expect((await getTi(h, run, 'last_try')).state).toBe('failed');
    expect((await getTi(h, run, 'has_retries')).state).toBe('up_for_retry');
    await tickWith().tick();

    expect(values(METRIC_NAMES.taskFailures)).toEqual([1]);
    expect(metrics.named(METRIC_NAMES.taskFailures)[0]).toMatchObject({ kind: 'count', dimensions: {} });
    expect(metrics.named(METRIC_NAMES.taskSuccesses)).toEqual([]);
  });
});
