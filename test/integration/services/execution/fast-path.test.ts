import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { ExecutorRegistry } from '../../../../src/core/ports/executor.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { DEFAULT_SCHEDULER_SETTINGS, RunScheduler } from '../../../../src/services/scheduler/index.ts';
import { attemptOf, createApiHarness, startedOf, type ApiHarness } from '../../http/execution-api/api-harness.ts';

/** The finish of one task queues the next one at once, through the real scheduler. */

const recordingExecutor = new RecordingExecutor();
const workloads = recordingExecutor.workloads;

let h: ApiHarness;

beforeAll(async () => {
  let scheduler: RunScheduler | undefined;
  h = await createApiHarness('exec-fastpath', {
    onTaskFinished: async (run, { metastore, clock, tokens }) => {
      scheduler ??= new RunScheduler({
        metastore,
        executors: new ExecutorRegistry([recordingExecutor]),
        clock,
        tokens,
        logger: silentLogger,
        dagVersions: new DagVersionCache(metastore),
        settings: { ...DEFAULT_SCHEDULER_SETTINGS, schedulerId: 'fast-path-test' },
      });
      await scheduler.scheduleRun(run);
    },
  });
});

afterAll(() => h?.close());

describe('the fast path', () => {
  it('queues the downstream task when its upstream finishes, with a token the API accepts', async () => {
    const run = await h.seedRun();
    const extract = attemptOf(run, 'extract', 1);
    await h.api.start(extract);
    expect((await h.api.finish(extract, { state: 'success', returnValue: 7 })).status).toBe(204);

    const transform = attemptOf(run, 'transform', 1);
    expect((await h.ti(transform))?.state).toBe('queued');
    const workload = workloads.find((w) => w.ti.runId === run.runId && w.ti.taskId === 'transform');
    expect(workload?.ti).toEqual(transform);

    const response = await h.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(transform)}/run`, {
      token: workload?.token ?? null,
      body: { workerId: 'worker-9', pid: 9, startDate: h.clock.now().toISOString() },
    });
    expect(response.status).toBe(200);
    expect((await startedOf(response)).upstreamXComs).toEqual({ extract: 7 });
  });
});
