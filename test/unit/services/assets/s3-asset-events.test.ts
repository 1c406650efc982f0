import { describe, expect, it } from 'vitest';
import { assetUrisForObject, parseS3ObjectCreated } from '../../../../src/services/assets/s3-asset-events.ts';
import { encodeS3EventKey, s3ObjectEvent } from '../../../support/s3-events.ts';

describe('parseS3ObjectCreated', () => {
  it('reads the bucket, the decoded key and the object facts of an EventBridge Object Created event', () => {
    const event = s3ObjectEvent('Object Created', 'lake', encodeS3EventKey('orders/2025 01/part 1.csv'));
    expect(parseS3ObjectCreated(event)).toEqual({
      eventId: event.id,
      bucket: 'lake',
      key: 'orders/2025 01/part 1.csv',
      size: 100,
      etag: 'abc',
      versionId: null,
    });
  });

  it('is null for the scheduler\'s other events: a deletion, its schedule, an ECS event, an admin command', () => {
    expect(parseS3ObjectCreated(s3ObjectEvent('Object Deleted', 'lake', 'orders/a.csv'))).toBeNull();
    expect(parseS3ObjectCreated({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toBeNull();
    expect(parseS3ObjectCreated({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {} })).toBeNull();
    expect(parseS3ObjectCreated({ updraft_command: 'trigger' })).toBeNull();
    expect(parseS3ObjectCreated(null)).toBeNull();
  });
});

describe('assetUrisForObject', () => {
  const known = ['s3://lake/orders/', 's3://lake/orders/2025/', 's3://lake/customers/', 's3://lake', 's3://lake/orders/2025/a.csv', 'orders_table'];

  it('matches every asset whose URI prefixes the object URI', () => {
    expect(assetUrisForObject('s3://lake/orders/2025/a.csv', known)).toEqual([
      's3://lake',
      's3://lake/orders/',
      's3://lake/orders/2025/',
      's3://lake/orders/2025/a.csv',
    ]);
  });

  it('a bare bucket URI does not match a bucket whose name merely starts the same', () => {
    expect(assetUrisForObject('s3://lakehouse/orders/a.csv', known)).toEqual([]);
  });

  it('matches nothing for a key outside every asset', () => {
    expect(assetUrisForObject('s3://other/orders/a.csv', known)).toEqual([]);
  });
});
