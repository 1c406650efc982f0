import { dag, DeadlineReference, task, type DagRunCallbackFunction } from 'updraft/sdk';

/**
 * The DAG of the task deadline tests, bundled by esbuild like a real DAG file. Its deadline callbacks
 * record what they saw on a list the test installs on globalThis (the bundle runs in the test's process).
 */
const seen = () => (globalThis as { __updraftTaskDeadlineTest?: string[] }).__updraftTaskDeadlineTest;

const boom: DagRunCallbackFunction = () => {
  throw new Error('the pager is down');
};

const record: DagRunCallbackFunction = async (ctx, info) => {
  const team = await ctx.variables.get('owner_team', 'unknown');
  const ti = ctx.taskInstance;
  ctx.log.info(`recorded ${info.event} of ${ti?.taskId}`);
  seen()?.push(
    `${info.event} ${ctx.runId} ${ti?.taskId}[${ti?.mapIndex}] try=${ti?.tryNumber} ${ti?.state} ${info.reason} team=${team} deadline=${info.deadline?.toISOString() ?? '-'}`,
  );
};

const slow = task({ taskId: 'slow', deadline: { reference: DeadlineReference.TASK_STARTED_AT, interval: 600, callback: [boom, record] } }, () => 'slow');
const quick = task({ taskId: 'quick' }, () => 'quick');

export default dag(
  {
    dagId: 'task_deadlines',
    defaultArgs: { deadline: { reference: DeadlineReference.TASK_QUEUED_AT, interval: 600, callback: record } },
  },
  () => {
    slow();
    quick();
  },
);
