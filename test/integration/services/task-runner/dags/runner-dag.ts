import { asset, bash, chain, dag, empty, FailNoRetry, httpNotifier, RescheduleTask, SkipTask, task, type TaskCallbackFunction } from 'updraft/sdk';

/**
 * The DAG the runner tests run. It is bundled with esbuild like a real DAG file. Tasks that must wait
 * for the test (heartbeat, timeout) tell it they started through a hook the test installs on globalThis.
 */
interface RunnerTestHooks {
  started(taskId: string): void;
}
const hooks = () => (globalThis as { __updraftRunnerTest?: RunnerTestHooks }).__updraftRunnerTest;

const extract = task({ taskId: 'extract' }, async (ctx) => {
  ctx.log.info(`extracting ${ctx.ds} for ${ctx.params.region}`);
  await ctx.ti.xcomPush('row_count', 3);
  return { day: ctx.ds, rows: [1, 2, 3] };
});

const transform = task({ taskId: 'transform' }, async (ctx, extracted: unknown, factor: unknown) => {
  const { rows } = extracted as { rows: number[] };
  const count = await ctx.ti.xcomPull('extract', 'row_count');
  return { total: rows.reduce((a, b) => a + b, 0) * (factor as number), count, tryNumber: ctx.tryNumber };
});

const skipper = task({ taskId: 'skipper' }, () => {
  throw new SkipTask('nothing to do today');
});

const noRetry = task({ taskId: 'no_retry', retries: 2 }, () => {
  throw new FailNoRetry('the input is invalid; fix it and trigger again');
});

const rescheduler = task({ taskId: 'rescheduler', retries: 2 }, () => {
  throw new RescheduleTask({ at: new Date('2030-01-01T00:00:00Z') }, 'the partition is not there yet');
});

const flaky = task({ taskId: 'flaky', retries: 2 }, function flakyTask() {
  throw new Error('the warehouse is not reachable');
});

const unserialisable = task({ taskId: 'unserialisable' }, () => ({ at: new Map([['a', 1]]) }));

const hang = task({ taskId: 'hang', retries: 1, executionTimeout: 0.3 }, async (ctx) => {
  hooks()?.started('hang');
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  return 'stopped';
});

const watched = task({ taskId: 'watched' }, async (ctx) => {
  hooks()?.started('watched');
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  return 'stopped';
});

const ordersAsset = asset('s3://runner-lake/orders/');
const auditAsset = asset('s3://runner-lake/audit/');

// Sets one outlet's extra and reports what started the run.
const publish = task({ taskId: 'publish', outlets: [ordersAsset, auditAsset] }, (ctx) => {
  ctx.outletEvents.get(ordersAsset).extra = { rows: 42, day: ctx.ds };
  return ctx.triggeringAssetEvents;
});

const publishBadOutlet = task({ taskId: 'publish_bad_outlet', outlets: [ordersAsset] }, (ctx) => {
  ctx.outletEvents.get('s3://runner-lake/not-an-outlet/').extra = { rows: 1 };
});

const returnsNull = task({ taskId: 'returns_null' }, () => null);

const usesSecrets = task({ taskId: 'uses_secrets' }, async (ctx) => {
  const db = await ctx.connections.get('runner_warehouse');
  const token = await ctx.variables.get('runner_api_token');
  const batchSize = await ctx.variables.get('runner_batch_size', '100');
  ctx.log.info(`connecting as ${db.login} with ${db.password ?? ''} and token ${token}; batch ${batchSize}`);
  return { host: db.host, batchSize };
});

// Callbacks write to the task log, which is what a user inspects.
const note =
  (label: string): TaskCallbackFunction =>
  (ctx, info) =>
    ctx.log.info(`callback ${label}: ${ctx.taskId} try ${ctx.tryNumber}/${info.maxTries} ${info.event} ${info.state} error=${info.error ?? '-'}`);
const boom: TaskCallbackFunction = function boom() {
  throw new Error('the pager is down');
};
const noted = { onExecute: note('execute'), onSuccess: note('success'), onFailure: note('failure'), onRetry: note('retry') };

const cbSucceeds = task({ taskId: 'cb_succeeds', ...noted, onSuccess: [note('success-1'), { name: 'audit', notify: note('success-2') }] }, (ctx) => {
  ctx.log.info('task body runs');
  return 1;
});
const cbThrows = task({ taskId: 'cb_throws', onExecute: boom, onSuccess: [boom, note('after-boom')] }, () => 'ok');
const cbFlaky = task({ taskId: 'cb_flaky', retries: 1, ...noted }, () => {
  throw new Error('the source is late');
});
const cbSkips = task({ taskId: 'cb_skips', ...noted }, () => {
  throw new SkipTask('nothing new');
});
const cbTimesOut = task({ taskId: 'cb_times_out', executionTimeout: 0.2, ...noted }, async (ctx) => {
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
});
const cbWebhook = task({ taskId: 'cb_webhook', onFailure: httpNotifier({ connId: 'runner_webhook' }) }, () => {
  throw new FailNoRetry('the input is invalid');
});

export const runnerDag = dag(
  { dagId: 'runner_test', schedule: null, startDate: '2024-01-01', params: { region: 'eu', greeting: 'hello' } },
  () => {
    const extracted = extract();
    transform(extracted, 2);
    chain(
      extracted,
      bash({
        taskId: 'templated',
        bashCommand: 'echo "day={{ ds }} greeting=$GREETING region={{ params.region }} day_from_xcom={{ ti.xcom_pull(\'extract\').day }}"',
        env: { GREETING: '{{ params.greeting }}' },
      }),
    );
    bash({ taskId: 'bash_fails', bashCommand: 'echo about to fail; exit 3' });
    bash({ taskId: 'bash_skips', bashCommand: 'exit 99' });
    bash({ taskId: 'bash_hang', bashCommand: 'echo sleeping; sleep 30', executionTimeout: 0.3 });
    empty({ taskId: 'nothing' });
    returnsNull();
    usesSecrets();
    skipper();
    noRetry();
    rescheduler();
    flaky();
    unserialisable();
    hang();
    watched();
    publish();
    publishBadOutlet();
    bash({ taskId: 'publish_bash', bashCommand: 'echo {{ triggering_asset_events | length }} assets', outlets: [auditAsset] });
    bash({ taskId: 'publish_bash_fails', bashCommand: 'exit 3', outlets: [auditAsset] });
    cbSucceeds();
    cbThrows();
    cbFlaky();
    cbSkips();
    cbTimesOut();
    cbWebhook();
    bash({ taskId: 'cb_bash_fails', bashCommand: 'exit 3', onFailure: note('failure') });
  },
);
