import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../../src/core/errors.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { SchedulerTick, triggerDagRun } from '../../../../src/services/scheduler/index.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, runQueued, saveDag, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  // now = 2024-01-10T12:00Z: nine daily intervals since 2024-01-01 have ended.
  h = await createHarness('sched-tick');
});

function dailyDag(dagId: string, overrides: Partial<SerializedDag> = {}): SerializedDag {
  return dag(dagId, [task('extract'), task('load', ['extract'])], {
    timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
    scheduleDescription: '@daily',
    startDate: '2024-01-01T00:00:00.000Z',
    ...overrides,
  });
}

const firstDue = new Date('2024-01-02T00:00:00Z');
const tickOf = (schedulerId = 'scheduler-a', maxRunsToCreatePerTick = 10) =>
  new SchedulerTick(h.deps({ settings: { ...h.deps().settings, schedulerId, maxRunsToCreatePerTick } }));
const runsOf = async (dagId: string) =>
  (await h.metastore.listDagRuns(dagId)).map((r) => `${r.logicalDate.toISOString().slice(0, 10)}:${r.state}`).sort();
const sentFor = (dagId: string) => h.executor.workloads.filter((w) => w.ti.dagId === dagId).map((w) => `${w.ti.runId}/${w.ti.taskId}#${w.ti.tryNumber}`);

describe('SchedulerTick', () => {
  it('creates the due run, starts it and queues its first task; a second tick creates nothing more', async () => {
    await saveDag(h, dailyDag('daily'), { nextDagRunCreateAfter: firstDue });
    const report = await tickOf().tick();
    expect(report).toMatchObject({ runsCreated: 1, runsStarted: 1, tasksQueued: 1, errors: 0 });
    expect(await runsOf('daily')).toEqual(['2024-01-09:running']);
    expect(sentFor('daily')).toEqual(['scheduled__2024-01-09T00:00:00+00:00/extract#1']);
    const dagRecord = await h.metastore.getDag('daily');
    expect(dagRecord?.nextDagRunCreateAfter).toEqual(new Date('2024-01-11T00:00:00Z'));
    expect(dagRecord?.lastAutomatedDataInterval).toEqual({ start: new Date('2024-01-09T00:00:00Z'), end: new Date('2024-01-10T00:00:00Z') });

    const again = await tickOf().tick();
    expect(again).toMatchObject({ runsCreated: 0, runsStarted: 0 });
    expect(await runsOf('daily')).toEqual(['2024-01-09:running']);
    expect(sentFor('daily')).toHaveLength(1);
    expect((await h.metastore.getLatestSchedulerHeartbeat())?.at).toEqual(h.clock.now());
  });

  it('with catchup creates every missed run, bounded per tick', async () => {
    await saveDag(h, dailyDag('catchup', { catchup: true }), { nextDagRunCreateAfter: firstDue });
    expect((await tickOf('scheduler-a', 5).tick()).runsCreated).toBe(5);
    expect(await runsOf('catchup')).toHaveLength(5);
    await tickOf('scheduler-a', 5).tick();
    expect(await runsOf('catchup')).toEqual([
      '2024-01-01:running', '2024-01-02:running', '2024-01-03:running', '2024-01-04:running', '2024-01-05:running',
      '2024-01-06:running', '2024-01-07:running', '2024-01-08:running', '2024-01-09:running',
    ]);
  });

  it('two schedulers ticking at once create each run once and queue each task once', async () => {
    await saveDag(h, dailyDag('contended', { catchup: true }), { nextDagRunCreateAfter: firstDue });
    await Promise.all([tickOf('scheduler-a').tick(), tickOf('scheduler-b').tick()]);
    await Promise.all([tickOf('scheduler-a').tick(), tickOf('scheduler-b').tick()]);
    expect(await runsOf('contended')).toHaveLength(9);
    const sent = sentFor('contended');
    expect(sent).toHaveLength(9);
    expect(new Set(sent).size).toBe(9);
  });

  it('keeps at most maxActiveRuns runs active and creates more as runs finish', async () => {
    await saveDag(h, dailyDag('limited', { catchup: true, maxActiveRuns: 2 }), { nextDagRunCreateAfter: firstDue });
    const first = await tickOf().tick();
    expect(first).toMatchObject({ runsCreated: 2, runsStarted: 2 });
    expect(await runsOf('limited')).toEqual(['2024-01-01:running', '2024-01-02:running']);

    // Every task of both runs succeeds; the tick that sees it finishes the runs, the next creates two more.
    const runs = await h.metastore.listDagRuns('limited');
    for (const run of runs) await runQueued(h, run, () => 'success');
    await tickOf().tick();
    for (const run of runs) await runQueued(h, run, () => 'success');
    const finishing = await tickOf().tick();
    expect(finishing.runsFinished).toBe(2);
    await tickOf().tick();
    expect(await runsOf('limited')).toEqual(['2024-01-01:success', '2024-01-02:success', '2024-01-03:running', '2024-01-04:running']);
  });

  it('starts queued manual runs oldest first within maxActiveRuns', async () => {
    await saveDag(h, dag('manual-only', [task('work')]), { maxActiveRuns: 1 });
    const deps = h.deps();
    for (const day of ['03', '01', '02']) {
      await triggerDagRun(deps, { dagId: 'manual-only', logicalDate: new Date(`2024-01-${day}T00:00:00Z`) });
    }
    expect((await tickOf().tick()).runsStarted).toBe(1);
    expect(await runsOf('manual-only')).toEqual(['2024-01-01:running', '2024-01-02:queued', '2024-01-03:queued']);
  });

  it('neither schedules nor starts runs of a paused DAG, but lets it be triggered', async () => {
    await saveDag(h, dailyDag('paused'), { isPaused: true, nextDagRunCreateAfter: firstDue });
    const run = await triggerDagRun(h.deps(), { dagId: 'paused' });
    await tickOf().tick();
    expect(await runsOf('paused')).toEqual(['2024-01-10:queued']);
    expect(run.state).toBe('queued');
    expect(sentFor('paused')).toEqual([]);
  });
});

describe('triggerDagRun', () => {
  it('creates a queued manual run with the inferred data interval, the conf and the latest version', async () => {
    await saveDag(h, dailyDag('triggered'));
    const run = await triggerDagRun(h.deps(), {
      dagId: 'triggered',
      logicalDate: new Date('2024-01-05T06:00:00Z'),
      conf: { table: 'orders', limit: 10 },
    });
    expect(run).toMatchObject({
      dagId: 'triggered',
      runId: 'manual__2024-01-05T06:00:00+00:00',
      state: 'queued',
      runType: 'manual',
      logicalDate: new Date('2024-01-05T06:00:00Z'),
      // A daily cron data interval: the interval that ended at or before the logical date.
      dataInterval: { start: new Date('2024-01-04T00:00:00Z'), end: new Date('2024-01-05T00:00:00Z') },
      versionId: 'v-triggered',
      conf: { table: 'orders', limit: 10 },
      queuedAt: h.clock.now(),
    });

    await tickOf().tick();
    expect((await h.metastore.getDagRun(run))?.state).toBe('running');
    expect(sentFor('triggered')).toEqual(['manual__2024-01-05T06:00:00+00:00/extract#1']);
  });

  it('defaults the logical date to now and accepts a run id', async () => {
    await saveDag(h, dag('ids', [task('work')]));
    expect((await triggerDagRun(h.deps(), { dagId: 'ids' })).runId).toBe('manual__2024-01-10T12:00:00+00:00');
    expect((await triggerDagRun(h.deps(), { dagId: 'ids', runId: 'my-run' })).runId).toBe('my-run');
  });

  it('refuses an existing run id', async () => {
    await saveDag(h, dag('dupes', [task('work')]));
    await triggerDagRun(h.deps(), { dagId: 'dupes', runId: 'once' });
    await expect(triggerDagRun(h.deps(), { dagId: 'dupes', runId: 'once' })).rejects.toThrow(ConflictError);
    await expect(triggerDagRun(h.deps(), { dagId: 'dupes', runId: 'once' })).rejects.toThrow(/already has a run with id "once"/);
  });

  it('refuses an unknown or inactive DAG', async () => {
    await expect(triggerDagRun(h.deps(), { dagId: 'nope' })).rejects.toThrow(NotFoundError);
    await saveDag(h, dag('gone', [task('work')]));
    await h.metastore.deactivateDags(['gone']);
    await expect(triggerDagRun(h.deps(), { dagId: 'gone' })).rejects.toThrow(/DAG "gone" was not found among active DAGs/);
  });
});
