import { describe, expect, it } from 'vitest';
import { EVENT_ROUTES, routesForBucketObject, type EventRoute } from '../../../src/core/deployment/event-routes.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { LocalEventRouter, localTaskQueuePolling } from '../../../src/local/local-event-routes.ts';
import type { ObjectEvent } from '../../../src/services/dag-processing/dag-processor.ts';

describe('routesForBucketObject', () => {
  it('sends created and deleted objects under dags/ to the DAG processor, and nothing else anywhere', () => {
    expect(routesForBucketObject('Object Created', 'dags/etl.ts').map((route) => route.target)).toEqual(['dag-processor']);
    expect(routesForBucketObject('Object Deleted', 'dags/sub/etl.ts').map((route) => route.target)).toEqual(['dag-processor']);
    expect(routesForBucketObject('Object Created', 'logs/dag_id=a/x.log')).toEqual([]);
    expect(routesForBucketObject('Object Created', 'bundles/dags/etl.ts/abc.mjs')).toEqual([]);
  });
});

describe('LocalEventRouter', () => {
  it('hands a DAG file event to the local DAG processor, once', async () => {
    const received: ObjectEvent[] = [];
    const router = new LocalEventRouter({ 'dag-processor': async (event) => received.push(event) }, silentLogger);
    expect(await router.bucketObject({ detailType: 'Object Created', key: 'dags/etl.ts' })).toBe(1);
    expect(await router.bucketObject({ detailType: 'Object Created', key: 'xcom/a.json' })).toBe(0);
    expect(received).toEqual([{ detailType: 'Object Created', key: 'dags/etl.ts' }]);
  });

  it('follows the routes it is given: a second route on the same prefix delivers twice', async () => {
    const dagRoute = EVENT_ROUTES.find((route) => route.id === 'DagFileChanged')!;
    const routes: EventRoute[] = [dagRoute, { ...dagRoute, id: 'Copy' }];
    let calls = 0;
    const router = new LocalEventRouter({ 'dag-processor': async () => (calls += 1) }, silentLogger, routes);
    await router.bucketObject({ detailType: 'Object Deleted', key: 'dags/etl.ts' });
    expect(calls).toBe(2);
  });
});

describe('localTaskQueuePolling', () => {
  it('invokes with the route\'s batch size, from two pollers per worker process', () => {
    const queueRoute = EVENT_ROUTES.find((route) => route.source.kind === 'task-queue')!;
    const withBatch = (batchSize: number): EventRoute[] => [{ ...queueRoute, source: { kind: 'task-queue', batchSize, maxBatchingWindowSeconds: 0 } }];
    expect(localTaskQueuePolling(withBatch(1))).toEqual({ batchSize: 1, pollers: 2 });
    expect(localTaskQueuePolling(withBatch(10))).toEqual({ batchSize: 10, pollers: 2 });
  });
});
