/**
 * Asset scheduling end to end on the local stack: a producer task's outlet starts the consumer DAG
 * scheduled on that asset, whose task sees the triggering event. The tick runs as in local mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnValue, startTickingStackWithDagFiles, taskStates, triggerAndStart, waitFor, waitForRunEnd, type TestStackWithDags } from './stack-harness.ts';

const PRODUCER = `
import { asset, dag, task } from 'updraft/sdk';

const orders = asset('s3://e2e-lake/orders/');
const write = task({ taskId: 'write', outlets: [orders] }, async (ctx) => {
  ctx.outletEvents.get(orders).extra = { rows: 7 };
});
export default dag({ dagId: 'orders_producer', schedule: null }, () => { write(); });
`;

const CONSUMER = `
import { asset, dag, task } from 'updraft/sdk';

const orders = asset('s3://e2e-lake/orders/');
const report = task({ taskId: 'report' }, async (ctx) =>
  (ctx.triggeringAssetEvents['s3://e2e-lake/orders/'] ?? []).map((event) => ({ rows: event.extra.rows, from: event.source_dag_id })),
);
export default dag({ dagId: 'orders_consumer', schedule: orders }, () => { report(); });
`;

let s: TestStackWithDags;

beforeAll(async () => {
  s = await startTickingStackWithDagFiles({ 'producer.ts': PRODUCER, 'consumer.ts': CONSUMER });
}, 90_000);

afterAll(async () => {
  await s?.close();
}, 60_000);

describe('assets on the local stack', () => {
  it('a producer task\'s outlet runs the DAG scheduled on the asset, which sees the triggering event', async () => {
    const produced = await triggerAndStart(s.stack, { dagId: 'orders_producer' });
    expect((await waitForRunEnd(s.stack, produced, { output: s.output })).state).toBe('success');

    const consumerRun = await waitFor('the asset-triggered run of orders_consumer', async () =>
      (await s.stack.metastore.listDagRuns('orders_consumer')).find((run) => run.runType === 'asset_triggered'),
    );
    const key = { dagId: consumerRun.dagId, runId: consumerRun.runId };
    expect((await waitForRunEnd(s.stack, key, { output: s.output })).state).toBe('success');
    expect(await taskStates(s.stack, key)).toEqual({ report: 'success/1' });
    expect(await returnValue(s.stack, key, 'report')).toEqual([{ rows: 7, from: 'orders_producer' }]);
    expect(await s.stack.metastore.listDagRuns('orders_consumer')).toHaveLength(1);
  }, 90_000);
});
