import { describe, expect, it } from 'vitest';
import {
  asset,
  assetAll,
  assetAny,
  bash,
  dag,
  DagDefinitionError,
  empty,
  isAsset,
  isAssetCondition,
  task,
  type AssetCondition,
} from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';

const orders = asset('s3://lake/orders/');
const customers = asset('s3://lake/customers/');
const refresh = asset('s3://lake/refresh/');

const build = (schedule: unknown) => dag({ dagId: 'consumer', schedule: schedule as AssetCondition }, () => void empty({ taskId: 'go' }));
const conditionOf = (schedule: unknown) => serializeDag(build(schedule), 'consumer.ts').assetCondition;

describe('asset()', () => {
  it('keeps the URI, lower-cases the scheme and freezes its extra', () => {
    const declared = asset('S3://lake/orders/2025/', { extra: { format: 'parquet' } });
    expect(declared.uri).toBe('s3://lake/orders/2025/');
    expect(declared.extra).toEqual({ format: 'parquet' });
    expect(Object.isFrozen(declared.extra)).toBe(true);
    expect(isAsset(declared)).toBe(true);
    expect(isAssetCondition(declared)).toBe(true);
  });

  it('accepts a URI without a scheme, as Airflow does', () => {
    expect(asset('orders_table').uri).toBe('orders_table');
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['s3://lake/ördrs/', /ASCII/],
    ['s3://lake/my file', /whitespace/],
    ['s3:///orders/', /must name a bucket/],
    ['airflow://dag/x', /"airflow" scheme is reserved/],
    ['https://user:secret@example.com/data', /credentials/],
    [`s3://lake/${'x'.repeat(1500)}`, /at most 1500 characters/],
  ])('refuses %j', (uri, message) => {
    expect(() => asset(uri)).toThrow(DagDefinitionError);
    expect(() => asset(uri)).toThrow(message);
  });

  it('refuses an extra that is not JSON and an unknown option', () => {
    expect(() => asset('s3://lake/x/', { extra: { when: new Date() } })).toThrow(/JSON/);
    expect(() => asset('s3://lake/x/', { name: 'x' } as never)).toThrow(/unknown option "name"/);
  });
});

describe('asset conditions', () => {
  it('and/or methods build the same conditions as assetAll/assetAny (Airflow\'s & and |)', () => {
    expect(orders.and(customers).toJSON()).toEqual(assetAll(orders, customers).toJSON());
    expect(orders.or(customers).toJSON()).toEqual(assetAny(orders, customers).toJSON());
    expect(orders.and(customers.or(refresh)).toJSON()).toEqual({
      kind: 'all',
      of: [
        { kind: 'asset', uri: 's3://lake/orders/' },
        { kind: 'any', of: [{ kind: 'asset', uri: 's3://lake/customers/' }, { kind: 'asset', uri: 's3://lake/refresh/' }] },
      ],
    });
    expect(orders.and(customers).or(orders).uris).toEqual(['s3://lake/orders/', 's3://lake/customers/']);
  });

  it('refuses an empty combination and members that are not assets', () => {
    expect(() => assetAll()).toThrow(/at least one asset/);
    expect(() => assetAny(orders, 's3://lake/x/' as never)).toThrow(/argument 2 is not an asset/);
  });
});

describe('a DAG scheduled on assets', () => {
  it('on one asset: no timetable, summary "Asset"', () => {
    const built = build(orders);
    expect(built.timetable.serialize()).toEqual({ type: 'null' });
    expect(built.scheduleDescription).toBe('Asset');
    expect(conditionOf(orders)).toEqual({ kind: 'asset', uri: 's3://lake/orders/' });
  });

  it('on a list of assets: runs when all of them were updated', () => {
    expect(conditionOf([orders, customers])).toEqual({
      kind: 'all',
      of: [{ kind: 'asset', uri: 's3://lake/orders/' }, { kind: 'asset', uri: 's3://lake/customers/' }],
    });
  });

  it('on an expression', () => {
    expect(conditionOf(orders.or(customers))).toEqual({ kind: 'any', of: [{ kind: 'asset', uri: 's3://lake/orders/' }, { kind: 'asset', uri: 's3://lake/customers/' }] });
  });

  it('on a timetable or assets (Airflow\'s AssetOrTimeSchedule): keeps the timetable and the condition', () => {
    const built = dag({ dagId: 'either', schedule: { timetable: '0 6 * * *', assets: [orders] }, startDate: '2025-01-01' }, () => void empty({ taskId: 'go' }));
    const serialized = serializeDag(built, 'either.ts');
    expect(serialized.timetable).toEqual({ type: 'cron_trigger', cron: '0 6 * * *', timezone: 'UTC', intervalSeconds: 0 });
    expect(serialized.scheduleDescription).toBe('Asset or 0 6 * * *');
    expect(serialized.assetCondition).toEqual({ kind: 'asset', uri: 's3://lake/orders/' });
  });

  it('without assets has no asset condition in its serialized form', () => {
    expect('assetCondition' in serializeDag(dag({ dagId: 'plain', schedule: '@daily' }, () => void empty({ taskId: 'go' })), 'plain.ts')).toBe(false);
  });

  it.each([
    [[], /empty list/],
    [[orders, 'x'], /schedule item 2 is not an asset/],
    [{ assets: orders }, /needs a timetable/],
    [{ timetable: '@daily', assets: 'x' }, /must be an asset/],
    [{ timetable: '@daily', assets: orders, extra: 1 }, /unknown schedule option "extra"/],
  ])('refuses the schedule %j with a clear message', (schedule, message) => {
    expect(() => build(schedule)).toThrow(message);
  });
});

describe('task outlets', () => {
  it('every operator accepts outlets; duplicates count once; defaultArgs may set them', () => {
    const writer = task({ taskId: 'write', outlets: [orders, orders, customers] }, async () => 1);
    const built = dag({ dagId: 'producer', defaultArgs: { outlets: [refresh] } }, () => {
      writer();
      bash({ taskId: 'sync', bashCommand: 'true' });
    });
    expect(built.tasks.get('write')?.outlets.map((outlet) => outlet.uri)).toEqual(['s3://lake/orders/', 's3://lake/customers/']);
    expect(built.tasks.get('sync')?.outlets.map((outlet) => outlet.uri)).toEqual(['s3://lake/refresh/']);
  });

  it('refuses outlets that are not assets', () => {
    expect(() => dag({ dagId: 'bad' }, () => void empty({ taskId: 'x', outlets: ['s3://lake/x/'] as never }))).toThrow(/outlets\[0\] is not an asset/);
    expect(() => dag({ dagId: 'bad' }, () => void empty({ taskId: 'x', outlets: orders as never }))).toThrow(/outlets must be a list of assets/);
    expect(() => dag({ dagId: 'bad' }, () => void empty({ taskId: 'x', outlets: [orders.and(customers)] as never }))).toThrow(/outlets\[0\] is not an asset/);
  });
});
