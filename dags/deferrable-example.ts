import { dag, defineTrigger, task, timeDeltaTrigger } from 'updraft/sdk';

/**
 * Deferral: `cool_down` waits two minutes holding no worker (fired by the scheduler's tick), then
 * `wait_for_batch` waits on a custom trigger polled by the triggerer.
 */

// A custom trigger: fires once the minute of the wall clock is even (stand-in for "the batch is ready").
const batchReady = defineTrigger<{ batch: string }>({
  name: 'example_batch_ready',
  poll: ({ batch }) => (new Date().getUTCMinutes() % 2 === 0 ? { payload: { batch, readyAt: new Date().toISOString() } } : null),
});

const coolDown = task({ taskId: 'cool_down' }, (ctx) => {
  if (ctx.resume === null) ctx.defer({ trigger: timeDeltaTrigger(120), timeout: 3600 });
  ctx.log.info(`resumed after the moment ${String(ctx.resume?.event)}`);
  return ctx.ds;
});

const waitForBatch = task({ taskId: 'wait_for_batch' }, (ctx, day: string) => {
  if (ctx.resume === null) ctx.defer({ trigger: batchReady({ batch: day }), method: 'after_batch', timeout: 1800 });
  return ctx.resume?.event;
});

export default dag({ dagId: 'deferrable_example', schedule: null, tags: ['example', 'deferral'] }, () => {
  waitForBatch(coolDown());
});
