import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbAssetTriggerStore } from '../../../../src/aws/dynamodb/asset-trigger-store.ts';
import type { AssetEventRecord } from '../../../../src/core/model/records.ts';
import type { SerializedAssetCondition } from '../../../../src/core/model/serialized-dag.ts';
import { SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions } from '../../../support/aws.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { createHarness, saveDag, type Harness } from './harness.ts';

let h: Harness;
let store: DynamoDbAssetTriggerStore;

beforeAll(async () => {
  h = await createHarness('asset-runs', '2025-01-01T00:00:00Z');
  store = new DynamoDbAssetTriggerStore(createDynamoDbClient(emulatorClientOptions()), h.tableName);
});

const tick = () => new SchedulerTick(h.deps({ assetTriggers: store })).tick();
const one = (uri: string): SerializedAssetCondition => ({ kind: 'asset', uri });
let sequence = 0;

/** Records events of the asset `seconds` after now, as the Execution API would. */
async function update(uri: string, secondsFromNow: number, extra: Record<string, unknown> = {}): Promise<AssetEventRecord> {
  sequence += 1;
  const event: AssetEventRecord = {
    assetUri: uri,
    extra,
    timestamp: new Date(h.clock.now().getTime() + secondsFromNow * 1000),
    source: { dagId: 'producer', runId: 'manual__p', taskId: 'write', mapIndex: -1, tryNumber: 1 },
    eventId: `producer/manual__p/write/-1/1/${sequence}`,
  };
  await h.metastore.recordAssetEvents([event]);
  return event;
}

async function consumer(dagId: string, condition: SerializedAssetCondition, options: { isPaused?: boolean } = {}) {
  return saveDag(h, serializedDag(dagId, [serializedTask('report')], { assetCondition: condition, scheduleDescription: 'Asset' }), options);
}

const runsOf = async (dagId: string) => (await h.metastore.listDagRuns(dagId)).map((run) => ({ runId: run.runId, runType: run.runType, state: run.state }));

describe('the scheduler tick creates asset-triggered runs', () => {
  it('two updates before a tick make one run that carries both events, started in the same tick; the next tick adds nothing', async () => {
    const uri = 's3://lake/single/';
    await consumer('single', one(uri));
    await update(uri, 10, { rows: 1 });
    await update(uri, 20, { rows: 2 });
    h.clock.advanceSeconds(30);

    const report = await tick();
    expect(report).toMatchObject({ runsCreated: 1, runsStarted: 1, errors: 0 });
    const [run] = await h.metastore.listDagRuns('single');
    expect(run).toMatchObject({ runId: expect.stringMatching(/^asset_triggered__/), runType: 'asset_triggered', state: 'running' });
    expect(run!.runAfter).toEqual(new Date(h.clock.now().getTime() - 10_000));
    const events = (run!.conf.triggering_asset_events as Record<string, { extra: unknown; source_dag_id: string }[]>)[uri]!;
    expect(events.map((event) => event.extra)).toEqual([{ rows: 1 }, { rows: 2 }]);
    expect(events[0]!.source_dag_id).toBe('producer');

    expect(await tick()).toMatchObject({ runsCreated: 0 });
    expect(await runsOf('single')).toHaveLength(1);
  });

  it('an all-condition waits for every asset; the events are consumed once', async () => {
    const [a, b] = ['s3://lake/all-a/', 's3://lake/all-b/'];
    await consumer('both', { kind: 'all', of: [one(a), one(b)] });
    await update(a, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect(await runsOf('both')).toEqual([]);

    await update(b, 1);
    h.clock.advanceSeconds(2);
    await tick();
    const runs = await h.metastore.listDagRuns('both');
    expect(runs).toHaveLength(1);
    expect(Object.keys(runs[0]!.conf.triggering_asset_events as object).sort()).toEqual([a, b]);

    // A alone again: B's update went to the first run.
    await update(a, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect(await runsOf('both')).toHaveLength(1);
  });

  it('an any-condition runs on either asset', async () => {
    const [a, b] = ['s3://lake/any-a/', 's3://lake/any-b/'];
    await consumer('either', { kind: 'any', of: [one(a), one(b)] });
    await update(b, 1);
    h.clock.advanceSeconds(2);
    await tick();
    await update(a, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect((await runsOf('either')).map((run) => run.runType)).toEqual(['asset_triggered', 'asset_triggered']);
  });

  it('ignores updates from before the DAG was deployed', async () => {
    const uri = 's3://lake/old/';
    await update(uri, -60);
    await consumer('late_consumer', one(uri));
    h.clock.advanceSeconds(1);
    await tick();
    expect(await runsOf('late_consumer')).toEqual([]);
  });

  it('a paused DAG gets no run, and the updates while it was paused do not run it later', async () => {
    const uri = 's3://lake/paused/';
    await consumer('paused_consumer', one(uri), { isPaused: true });
    await update(uri, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect(await runsOf('paused_consumer')).toEqual([]);

    await h.metastore.setDagPaused('paused_consumer', false);
    await tick();
    expect(await runsOf('paused_consumer')).toEqual([]);
    await update(uri, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect(await runsOf('paused_consumer')).toHaveLength(1);
  });

  it('two schedulers ticking at once create the run once', async () => {
    const uri = 's3://lake/race/';
    await consumer('raced', one(uri));
    await update(uri, 1);
    h.clock.advanceSeconds(2);
    const reports = await Promise.all([tick(), tick()]);
    expect(reports.reduce((sum, report) => sum + report.runsCreated, 0)).toBe(1);
    expect(await runsOf('raced')).toHaveLength(1);
  });

  it('a run claimed by a scheduler that crashed before writing it is written by the next tick', async () => {
    const uri = 's3://lake/crash/';
    await consumer('crashed', one(uri));
    h.clock.advanceSeconds(1);
    await tick();
    const event = await update(uri, 1);
    h.clock.advanceSeconds(2);
    // What the crashed scheduler left: the window claimed, no run.
    const state = (await store.getAssetTriggerState('crashed'))!;
    await store.updateAssetTriggerState('crashed', { consumedThrough: event.timestamp, pendingRun: { from: state.consumedThrough, runAfter: event.timestamp } }, state.revision);

    expect(await tick()).toMatchObject({ runsCreated: 1 });
    const [run] = await h.metastore.listDagRuns('crashed');
    expect(Object.keys(run!.conf.triggering_asset_events as object)).toEqual([uri]);
    expect((await store.getAssetTriggerState('crashed'))?.pendingRun).toBeNull();
  });

  it('a DAG on a timetable or assets runs on its timetable as before and on its assets', async () => {
    const uri = 's3://lake/combined/';
    await saveDag(
      h,
      serializedDag('combined', [serializedTask('report')], {
        timetable: { type: 'cron_trigger', cron: '0 * * * *', timezone: 'UTC', intervalSeconds: 0 },
        startDate: '2024-12-31T00:00:00.000Z',
        assetCondition: one(uri),
      }),
      { nextDagRunCreateAfter: new Date('2024-12-31T00:00:00Z') },
    );
    await update(uri, 1);
    h.clock.advanceSeconds(2);
    await tick();
    expect((await runsOf('combined')).map((run) => run.runType).sort()).toEqual(['asset_triggered', 'scheduled']);
  });
});
