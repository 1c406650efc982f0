import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { DynamoDbBackfillStore } from '../../../../src/aws/dynamodb/backfill-store.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../../src/core/errors.ts';
import { runIdFor } from '../../../../src/core/model/keys.ts';
import type { DagRunRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import type { DagRunState } from '../../../../src/core/model/states.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { BackfillService } from '../../../../src/services/backfill/backfill-service.ts';
import { SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { dag, task, ti } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, saveDag, type Harness } from '../scheduler/harness.ts';

let h: Harness;
let backfills: DynamoDbBackfillStore;
let service: BackfillService;

beforeAll(async () => {
  // now = 2024-01-10T12:00Z, as the scheduler harness's clock; the table is this file's own.
  const client = createDynamoDbClient(emulatorClientOptions());
  const tableName = uniqueName('backfill-svc');
  await createMetastoreTable(client, tableName);
  const metastore = new DynamoDbMetastore({ client, tableName });
  const base = await createHarness('backfill-svc-unused');
  h = { ...base, metastore, deps: (overrides = {}) => base.deps({ metastore, dagVersions: new DagVersionCache(metastore), ...overrides }) };
  backfills = new DynamoDbBackfillStore(client, tableName);
  const s3 = createS3Client(emulatorClientOptions());
  const bucket = uniqueName('backfill-svc');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  service = new BackfillService({ metastore, backfills, objectStore: new S3ObjectStore({ client: s3, bucket }), clock: h.clock, logger: silentLogger });
});

const d = (iso: string) => new Date(iso);

function dailyDag(dagId: string, overrides: Partial<SerializedDag> = {}): SerializedDag {
  return dag(dagId, [task('extract'), task('load', ['extract'])], {
    timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
    scheduleDescription: '@daily',
    startDate: '2024-01-01T00:00:00.000Z',
    ...overrides,
  });
}

async function seedRun(dagId: string, day: string, state: DagRunState): Promise<DagRunRecord> {
  const logicalDate = d(`${day}T00:00:00Z`);
  const run: DagRunRecord = {
    dagId,
    runId: runIdFor('scheduled', logicalDate),
    state,
    runType: 'scheduled',
    logicalDate,
    dataInterval: { start: logicalDate, end: new Date(logicalDate.getTime() + 86_400_000) },
    runAfter: new Date(logicalDate.getTime() + 86_400_000),
    versionId: `v-${dagId}`,
    conf: { old: true },
    queuedAt: logicalDate,
    startDate: logicalDate,
    endDate: state === 'success' || state === 'failed' ? logicalDate : null,
    revision: 0,
  };
  await h.metastore.createDagRun(run);
  // An unfinished run's tasks have not started: the tick queues its first one and the run goes on.
  const finished = state === 'success' || state === 'failed';
  await h.metastore.createTaskInstances([ti(run, 'extract', finished ? 'success' : 'none'), ti(run, 'load', finished ? state : 'none')]);
  return run;
}

const runsOf = async (dagId: string) =>
  (await h.metastore.listDagRuns(dagId))
    .map((r) => `${r.logicalDate.toISOString().slice(0, 10)}:${r.runType}:${r.state}`)
    .sort();
const rowsOf = async (id: number) =>
  (await backfills.listBackfillDagRuns(id)).map((r) => `${r.sortOrdinal}:${r.logicalDate.toISOString().slice(0, 10)}:${r.runId ?? r.exceptionReason}`);
const tick = () => new SchedulerTick(h.deps({ backfills })).tick();
const request = (dagId: string, overrides: Partial<Parameters<BackfillService['create']>[0]> = {}) => ({
  dagId,
  fromDate: d('2024-01-01T00:00:00Z'),
  toDate: d('2024-01-05T00:00:00Z'),
  ...overrides,
});

describe('BackfillService.create over a range where some runs exist', () => {
  it('reprocess "failed": creates missing dates, re-runs failed runs, keeps succeeded and in-flight ones', async () => {
    await saveDag(h, dailyDag('re_failed'));
    await seedRun('re_failed', '2024-01-02', 'success');
    const failed = await seedRun('re_failed', '2024-01-03', 'failed');
    await seedRun('re_failed', '2024-01-04', 'running');

    const backfill = await service.create(request('re_failed', { reprocessBehavior: 'failed', dagRunConf: { region: 'eu' } }));
    expect(backfill).toMatchObject({ dagId: 're_failed', reprocessBehavior: 'failed', maxActiveRuns: 10, runsCreated: true, completedAt: null });
    expect(await rowsOf(backfill.id)).toEqual([
      '1:2024-01-01:backfill__2024-01-01T00:00:00+00:00',
      '2:2024-01-02:already exists',
      '3:2024-01-03:scheduled__2024-01-03T00:00:00+00:00',
      '4:2024-01-04:in flight',
      '5:2024-01-05:backfill__2024-01-05T00:00:00+00:00',
    ]);
    expect(await runsOf('re_failed')).toEqual([
      '2024-01-01:backfill:queued',
      '2024-01-02:scheduled:success',
      '2024-01-03:backfill:queued',
      '2024-01-04:scheduled:running',
      '2024-01-05:backfill:queued',
    ]);
    const rerun = await h.metastore.getDagRun(failed);
    expect(rerun).toMatchObject({ conf: { region: 'eu' }, startDate: null, endDate: null });
    expect((await h.metastore.listTaskInstances(failed)).map((t) => t.state)).toEqual(['none', 'none']);
    expect((await h.metastore.getDagRun({ dagId: 're_failed', runId: 'backfill__2024-01-01T00:00:00+00:00' }))?.conf).toEqual({ region: 'eu' });
  });

  it('reprocess "completed" re-runs succeeded runs too; "none" re-runs nothing', async () => {
    await saveDag(h, dailyDag('re_completed'));
    await seedRun('re_completed', '2024-01-02', 'success');
    const completed = await service.create(request('re_completed', { reprocessBehavior: 'completed', toDate: d('2024-01-02T00:00:00Z') }));
    expect(await rowsOf(completed.id)).toEqual(['1:2024-01-01:backfill__2024-01-01T00:00:00+00:00', '2:2024-01-02:scheduled__2024-01-02T00:00:00+00:00']);
    expect(await runsOf('re_completed')).toEqual(['2024-01-01:backfill:queued', '2024-01-02:backfill:queued']);
    expect((await h.metastore.getDagRun({ dagId: 're_completed', runId: 'scheduled__2024-01-02T00:00:00+00:00' }))?.conf).toEqual({ old: true });

    await saveDag(h, dailyDag('re_none'));
    await seedRun('re_none', '2024-01-02', 'failed');
    const none = await service.create(request('re_none', { toDate: d('2024-01-02T00:00:00Z') }));
    expect(await rowsOf(none.id)).toEqual(['1:2024-01-01:backfill__2024-01-01T00:00:00+00:00', '2:2024-01-02:already exists']);
    expect(await runsOf('re_none')).toEqual(['2024-01-01:backfill:queued', '2024-01-02:scheduled:failed']);
  });

  it('a dry run lists what would be created or re-run, and creates nothing', async () => {
    await saveDag(h, dailyDag('dry'));
    await seedRun('dry', '2024-01-02', 'failed');
    await seedRun('dry', '2024-01-03', 'success');
    const before = await runsOf('dry');
    const entries = await service.dryRun(request('dry', { reprocessBehavior: 'failed', runBackwards: true }));
    expect(entries.map((e) => e.logicalDate.toISOString().slice(0, 10))).toEqual(['2024-01-05', '2024-01-04', '2024-01-02', '2024-01-01']);
    expect(await runsOf('dry')).toEqual(before);
    expect(await backfills.listBackfills('dry')).toEqual([]);
  });

  it('refuses what Airflow refuses', async () => {
    await saveDag(h, dailyDag('refusals'));
    await saveDag(h, dag('unscheduled', [task('a')]));
    await expect(service.create(request('nope'))).rejects.toThrow(NotFoundError);
    await expect(service.create(request('unscheduled'))).rejects.toThrow('non-periodic schedule');
    await expect(service.create(request('refusals', { fromDate: d('2024-02-01T00:00:00Z'), toDate: d('2024-03-01T00:00:00Z') }))).rejects.toThrow(
      'future dates',
    );
    await expect(service.create(request('refusals', { fromDate: d('2024-01-05T00:00:00Z'), toDate: d('2024-01-01T00:00:00Z') }))).rejects.toThrow(
      ValidationError,
    );
    await service.create(request('refusals'));
    await expect(service.create(request('refusals'))).rejects.toThrow(ConflictError);
  });

  it('refuses a reverse backfill of a DAG with dependsOnPast or waitForDownstream, dry run too, and writes nothing', async () => {
    await saveDag(h, dailyDag('past_bf', { tasks: [task('extract', [], { dependsOnPast: true }), task('load', ['extract'])] }));
    await saveDag(h, dailyDag('downstream_bf', { tasks: [task('extract', [], { waitForDownstream: true }), task('load', ['extract'])] }));
    for (const dagId of ['past_bf', 'downstream_bf']) {
      await expect(service.dryRun(request(dagId, { runBackwards: true }))).rejects.toThrow(
        'Backfill cannot be run in reverse when the DAG has tasks where depends_on_past=True (extract)',
      );
      await expect(service.create(request(dagId, { runBackwards: true }))).rejects.toThrow(ValidationError);
      expect(await backfills.listBackfills(dagId)).toEqual([]);
      expect(await runsOf(dagId)).toEqual([]);
    }
    const forward = await service.create(request('past_bf'));
    expect(forward.runBackwards).toBe(false);
  });
});

describe('backfills in the scheduler tick', () => {
  it('starts backfill runs within the backfill\'s max_active_runs, in its order, apart from the DAG\'s own limit, and completes it', async () => {
    // The DAG allows one active run and already has a running manual run: the backfill's runs start anyway.
    await saveDag(h, dailyDag('limits', { maxActiveRuns: 1 }));
    await seedRun('limits', '2024-01-09', 'running');
    const backfill = await service.create(request('limits', { maxActiveRuns: 2, runBackwards: true }));

    const first = await tick();
    expect(first.errors).toBe(0);
    const running = async () =>
      (await h.metastore.listDagRuns('limits', { states: ['running'] })).filter((r) => r.runType === 'backfill').map((r) => r.logicalDate.toISOString().slice(0, 10)).sort();
    expect(await running()).toEqual(['2024-01-04', '2024-01-05']);
    expect(await runsOf('limits')).toContain('2024-01-09:scheduled:running');

    await tick();
    expect(await running()).toEqual(['2024-01-04', '2024-01-05']);

    for (const day of ['2024-01-04', '2024-01-05']) {
      await h.metastore.updateDagRun({ dagId: 'limits', runId: runIdFor('backfill', d(`${day}T00:00:00Z`)) }, { state: 'success', endDate: h.clock.now() });
    }
    await tick();
    expect(await running()).toEqual(['2024-01-02', '2024-01-03']);

    for (const day of ['2024-01-01', '2024-01-02', '2024-01-03']) {
      await h.metastore.updateDagRun({ dagId: 'limits', runId: runIdFor('backfill', d(`${day}T00:00:00Z`)) }, { state: 'failed', endDate: h.clock.now() });
    }
    expect((await backfills.getBackfill(backfill.id))?.completedAt).toBeNull();
    await tick();
    expect((await backfills.getBackfill(backfill.id))?.completedAt).toEqual(h.clock.now());
    // With it complete, the DAG may have another backfill.
    await expect(service.create(request('limits', { reprocessBehavior: 'failed', toDate: d('2024-01-01T00:00:00Z') }))).resolves.toMatchObject({
      dagId: 'limits',
    });
  });

  it('a paused backfill starts nothing until it is unpaused', async () => {
    await saveDag(h, dailyDag('pausing'));
    const backfill = await service.create(request('pausing', { maxActiveRuns: 1 }));
    expect((await service.setPaused(backfill.id, true)).isPaused).toBe(true);
    await tick();
    expect((await h.metastore.listDagRuns('pausing', { states: ['running'] }))).toEqual([]);
    await service.setPaused(backfill.id, false);
    await tick();
    expect((await h.metastore.listDagRuns('pausing', { states: ['running'] })).map((r) => r.runId)).toEqual(['backfill__2024-01-01T00:00:00+00:00']);
  });

  it('cancel fails the queued runs, leaves running ones, and completes the backfill', async () => {
    await saveDag(h, dailyDag('cancelling'));
    const backfill = await service.create(request('cancelling', { maxActiveRuns: 1 }));
    await tick();
    const cancelled = await service.cancel(backfill.id);
    expect(cancelled).toMatchObject({ isPaused: true, completedAt: h.clock.now() });
    expect(await runsOf('cancelling')).toEqual([
      '2024-01-01:backfill:running',
      '2024-01-02:backfill:failed',
      '2024-01-03:backfill:failed',
      '2024-01-04:backfill:failed',
      '2024-01-05:backfill:failed',
    ]);
    await expect(service.cancel(backfill.id)).rejects.toThrow('Backfill is already completed.');
    await expect(service.setPaused(backfill.id, false)).rejects.toThrow(ConflictError);
    await expect(service.cancel(987_654)).rejects.toThrow(NotFoundError);
  });
});
