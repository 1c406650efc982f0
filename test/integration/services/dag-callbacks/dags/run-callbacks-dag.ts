import { dag, DeadlineReference, task, type DagRunCallbackFunction } from 'updraft/sdk';

/**
 * The DAG of the DAG-run callback tests, bundled by esbuild like a real DAG file. Its callbacks record
 * what they saw on a list the test installs on globalThis (the bundle runs in the test's process).
 */
const seen = () => (globalThis as { __updraftDagCallbackTest?: string[] }).__updraftDagCallbackTest;

const boom: DagRunCallbackFunction = () => {
  throw new Error('the pager is down');
};

const record: DagRunCallbackFunction = async (ctx, info) => {
  const team = await ctx.variables.get('owner_team', 'unknown');
  ctx.log.info(`recorded ${info.event}`);
  seen()?.push(`${info.event} ${ctx.dagId} ${ctx.runId} ${info.state} ${info.reason} team=${team} ds=${ctx.ds} deadline=${info.deadline?.toISOString() ?? '-'}`);
};

const work = task({ taskId: 'work' }, () => 'done');

export default dag(
  {
    dagId: 'run_callbacks',
    onFailure: [boom, record],
    onSuccess: record,
    deadline: { reference: DeadlineReference.DAGRUN_QUEUED_AT, interval: 600, callback: record },
  },
  () => {
    work();
  },
);
