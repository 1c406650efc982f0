import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { createRunnerHarness } from './runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;

beforeAll(async () => {
  h = await createRunnerHarness('runner-outlets');
});
afterAll(async () => {
  await h?.close();
});

const ORDERS = 's3://runner-lake/orders/';
const AUDIT = 's3://runner-lake/audit/';
const eventsOf = async (uri: string, runId: string) =>
  (await h.metastore.listAssetEvents(uri)).filter((event) => event.source?.runId === runId);

describe('a task with outlets', () => {
  it('emits one asset event per outlet on success, with the extra the task set, and sees what triggered its run', async () => {
    const triggering = {
      triggering_asset_events: {
        's3://upstream/raw/': [
          { uri: 's3://upstream/raw/', extra: { key: 'raw/a.csv' }, timestamp: '2024-03-01T00:00:00.000Z', source_dag_id: null, source_task_id: null, source_run_id: null, source_map_index: null },
        ],
      },
    };
    const run = await h.seedRun(triggering);
    const publish = await h.queue(run, 'publish');
    expect(await runTask(publish, h.deps())).toEqual({ kind: 'finished', state: 'success' });

    const [orders] = await eventsOf(ORDERS, run.runId);
    expect(orders).toMatchObject({ assetUri: ORDERS, extra: { rows: 42, day: run.logicalDate.toISOString().slice(0, 10) } });
    expect(orders!.source).toEqual({ dagId: 'runner_test', runId: run.runId, taskId: 'publish', mapIndex: -1, tryNumber: 1 });
    expect(await eventsOf(AUDIT, run.runId)).toMatchObject([{ assetUri: AUDIT, extra: {} }]);
    expect((await h.xcom(publish))?.value).toEqual(triggering.triggering_asset_events);
  });

  it('a bash task emits its outlet event and renders triggering_asset_events (empty for a run not started by assets)', async () => {
    const run = await h.seedRun();
    const published = await h.queue(run, 'publish_bash');
    expect(await runTask(published, h.deps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.xcom(published))?.value).toBe('0 assets');
    expect(await eventsOf(AUDIT, run.runId)).toHaveLength(1);
  });

  it('emits nothing when the task fails', async () => {
    const run = await h.seedRun();
    const fails = await h.queue(run, 'publish_bash_fails');
    expect(await runTask(fails, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect(await eventsOf(AUDIT, run.runId)).toEqual([]);
  });

  it('fails a task that reaches for an asset that is not one of its outlets, naming its outlets', async () => {
    const run = await h.seedRun();
    const bad = await h.queue(run, 'publish_bad_outlet');
    expect(await runTask(bad, h.deps())).toEqual({ kind: 'finished', state: 'failed' });
    expect(await h.log(bad)).toContain(`has no outlet "s3://runner-lake/not-an-outlet/"; its outlets are ${ORDERS}`);
    expect(await eventsOf(ORDERS, run.runId)).toEqual([]);
  });
});
