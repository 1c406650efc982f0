/**
 * A task that gives its worker back with RescheduleTask: it waits in up_for_reschedule, the scheduler
 * queues the same try again once the date has passed, and the second poke succeeds. The whole loop runs
 * on the local stack: worker, Execution API, scheduler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import { attemptLog, returnValue, startStackWithDagFiles, taskStates, triggerAndStart, waitForRunEnd, type OutputTail } from './stack-harness.ts';

// The first poke records itself in a variable (the one piece of state that survives between pokes
// without a worker) and asks to be looked at again a second later.
const POKING_DAG = `import { dag, RescheduleTask, task } from 'updraft/sdk';

const waitForPartition = task({ taskId: 'wait_for_partition' }, async (ctx) => {
  const marker = 'poked_' + ctx.runId.replace(/[^A-Za-z0-9]/g, '_');
  const pokes = Number(await ctx.variables.get(marker, '0')) + 1;
  await ctx.variables.set(marker, String(pokes));
  if (pokes < 2) throw new RescheduleTask({ afterSeconds: 1 }, 'the partition is not there yet');
  return { pokes, tryNumber: ctx.tryNumber };
});

const load = task({ taskId: 'load' }, (ctx, found: { pokes: number }) => found.pokes);

export default dag({ dagId: 'pokes_twice', schedule: null }, () => {
  load(waitForPartition());
});
`;

let stack: LocalStack;
let output: OutputTail;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ stack, output, close } = await startStackWithDagFiles({ 'pokes-twice.ts': POKING_DAG }));
}, 90_000);

afterAll(async () => {
  await close?.();
}, 60_000);

describe('rescheduling on the local stack', () => {
  it('runs the same try again after the reschedule date, without counting a retry', async () => {
    const key = await triggerAndStart(stack, { dagId: 'pokes_twice' });
    const run = await waitForRunEnd(stack, key, { scheduleEachPoll: true, output });
    expect(run.state).toBe('success');
    expect(await taskStates(stack, key)).toEqual({ wait_for_partition: 'success/1', load: 'success/1' });
    expect(await returnValue(stack, key, 'wait_for_partition')).toEqual({ pokes: 2, tryNumber: 1 });
    expect(await returnValue(stack, key, 'load')).toBe(2);
    // Both pokes wrote the same attempt's log key; the second poke's log is the one kept.
    const log = await attemptLog(stack, key, 'wait_for_partition');
    expect(log).toContain('Marking task as SUCCESS');
  }, 60_000);
});
