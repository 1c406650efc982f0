import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbAssetTriggerStore } from '../../../../src/aws/dynamodb/asset-trigger-store.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { parseS3ObjectCreated, S3AssetEventRecorder } from '../../../../src/services/assets/s3-asset-events.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { SchedulerTick } from '../../../../src/services/scheduler/index.ts';
import { emulatorClientOptions } from '../../../support/aws.ts';
import { s3ObjectEvent } from '../../../support/s3-events.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { createHarness, saveDag, type Harness } from '../scheduler/harness.ts';

let h: Harness;
const lines: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: (message, attributes) => void lines.push({ level: 'debug', message, attributes }),
  info: (message, attributes) => void lines.push({ level: 'info', message, attributes }),
  warn: (message, attributes) => void lines.push({ level: 'warn', message, attributes }),
  error: (message, attributes) => void lines.push({ level: 'error', message, attributes }),
};
let recorder: S3AssetEventRecorder;

beforeAll(async () => {
  h = await createHarness('s3-assets', '2025-02-01T00:00:00Z');
  recorder = new S3AssetEventRecorder({ metastore: h.metastore, dagVersions: new DagVersionCache(h.metastore), clock: h.clock, logger });
  await saveDag(
    h,
    serializedDag('on_landing', [serializedTask('load')], { assetCondition: { kind: 'asset', uri: 's3://landing-zone/orders/' }, scheduleDescription: 'Asset' }),
  );
  await saveDag(
    h,
    serializedDag('producer', [serializedTask('write', [], { outlets: [{ uri: 's3://landing-zone/exports/' }] })]),
  );
});

/** What the scheduler function does with an S3 event: record it, then tick. */
async function deliver(bucket: string, key: string, eventId?: string) {
  h.clock.advanceSeconds(5);
  const object = parseS3ObjectCreated(s3ObjectEvent('Object Created', bucket, key, eventId));
  if (!object) throw new Error('not an S3 Object Created event');
  const recorded = await recorder.record(object);
  const report = await new SchedulerTick(h.deps({ assetTriggers: new DynamoDbAssetTriggerStore(createDynamoDbClient(emulatorClientOptions()), h.tableName) })).tick();
  return { recorded, report };
}

describe('an S3 object created in an asset bucket', () => {
  it('becomes an asset event of the asset whose URI prefixes it, and the DAG scheduled on it runs at once', async () => {
    const { recorded, report } = await deliver('landing-zone', 'orders/2025-02-01/part-0.csv');
    expect(recorded.assetUris).toEqual(['s3://landing-zone/orders/']);
    const [event] = await h.metastore.listAssetEvents('s3://landing-zone/orders/');
    expect(event).toMatchObject({
      source: null,
      extra: { bucket: 'landing-zone', key: 'orders/2025-02-01/part-0.csv', size: 100, etag: 'abc', from_s3_event: true },
    });
    expect(report).toMatchObject({ runsCreated: 1, runsStarted: 1 });
    const [run] = await h.metastore.listDagRuns('on_landing');
    expect(run).toMatchObject({ runType: 'asset_triggered', state: 'running' });
    const triggering = run!.conf.triggering_asset_events as Record<string, { extra: { key: string } }[]>;
    expect(triggering['s3://landing-zone/orders/']![0]!.extra.key).toBe('orders/2025-02-01/part-0.csv');
  });

  it('updates an asset a task names as an outlet, even before the asset had any event', async () => {
    const { recorded } = await deliver('landing-zone', 'exports/today.json');
    expect(recorded.assetUris).toEqual(['s3://landing-zone/exports/']);
    expect(await h.metastore.listAssetEvents('s3://landing-zone/exports/')).toHaveLength(1);
  });

  it('is ignored, with a debug log, when its key matches no asset', async () => {
    const before = (await h.metastore.listAssets()).length;
    const { recorded, report } = await deliver('landing-zone', 'tmp/scratch.txt');
    expect(recorded).toEqual({ objectUri: 's3://landing-zone/tmp/scratch.txt', assetUris: [] });
    expect(report.runsCreated).toBe(0);
    expect((await h.metastore.listAssets()).length).toBe(before);
    expect(lines).toContainEqual({
      level: 'debug',
      message: 'S3 object matches no asset; ignoring its event',
      attributes: { object_uri: 's3://landing-zone/tmp/scratch.txt' },
    });
  });

  it('is recorded once when EventBridge delivers the same event again, and again for a new event of the same key', async () => {
    const uri = 's3://landing-zone/exports/';
    const before = (await h.metastore.listAssetEvents(uri)).length;
    await deliver('landing-zone', 'exports/redelivered.json', 'evt-redelivered');
    await deliver('landing-zone', 'exports/redelivered.json', 'evt-redelivered');
    const once = await h.metastore.listAssetEvents(uri);
    expect(once).toHaveLength(before + 1);
    await deliver('landing-zone', 'exports/redelivered.json', 'evt-overwritten');
    expect(await h.metastore.listAssetEvents(uri)).toHaveLength(before + 2);
  });
});
