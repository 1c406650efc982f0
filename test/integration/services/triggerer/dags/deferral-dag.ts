import { dag, defineTrigger, s3KeyTrigger, task, timeDeltaTrigger } from 'updraft/sdk';

/** A custom trigger: fires when kwargs.ready is true, throws when kwargs.explode is set. */
const flag = defineTrigger<{ ready: boolean; explode?: boolean }>({
  name: 'test_flag',
  poll: async ({ ready, explode }, ctx) => {
    if (explode) throw new Error(`the flag of ${ctx.taskId} exploded`);
    return ready ? { payload: { flagged: ctx.taskId } } : null;
  },
});

const waitThenReport = task({ taskId: 'wait_then_report' }, (ctx) => {
  if (ctx.resume === null) ctx.defer({ trigger: timeDeltaTrigger(300), kwargs: { started: ctx.ds }, timeout: 3600 });
  return { method: ctx.resume!.method, event: ctx.resume!.event, kwargs: ctx.resume!.kwargs };
});

const waitForFlag = task({ taskId: 'wait_for_flag' }, (ctx) => {
  if (ctx.resume === null) ctx.defer({ trigger: flag({ ready: true }), method: 'after_flag' });
  return ctx.resume!.event;
});

const waitForKey = task({ taskId: 'wait_for_key' }, (ctx) => {
  if (ctx.resume === null) ctx.defer({ trigger: s3KeyTrigger({ key: `s3://${String(ctx.params.bucket)}/drops/${ctx.ds}/*.csv`, wildcardMatch: true }) });
  return ctx.resume!.event;
});

export default dag({ dagId: 'deferral_test', params: { bucket: 'unset' } }, () => {
  waitThenReport();
  waitForFlag();
  waitForKey();
});
