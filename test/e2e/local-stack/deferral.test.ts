/**
 * Deferral end to end on the local stack: a task defers on a time trigger (fired by the tick) and then on
 * a custom trigger (polled by the triggerer from the trigger queue), holding no worker in between, and
 * resumes its same try each time with the trigger's event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptLog, returnValue, startTickingStackWithDagFiles, taskStates, triggerAndStart, waitForRunEnd, type TestStackWithDags } from './stack-harness.ts';

const DEFERRING = `
import { dag, defineTrigger, task, timeDeltaTrigger } from 'updraft/sdk';

const ready = defineTrigger({
  name: 'e2e_ready',
  poll: ({ label }) => ({ payload: { label } }),
});
const failing = defineTrigger({
  name: 'e2e_broken',
  poll: () => { throw new Error('the upstream system answered 500'); },
});

const waits = task({ taskId: 'waits' }, (ctx) => {
  if (ctx.resume === null) ctx.defer({ trigger: timeDeltaTrigger(1), method: 'after_sleep', timeout: 600 });
  if (ctx.resume.method === 'after_sleep') ctx.defer({ trigger: ready({ label: 'go' }), method: 'after_ready', timeout: 600 });
  return { method: ctx.resume.method, event: ctx.resume.event, try: ctx.tryNumber };
});
const broken = task({ taskId: 'broken' }, (ctx) => {
  ctx.defer({ trigger: failing({}), timeout: 600 });
});

export default dag({ dagId: 'deferring', schedule: null }, () => { waits(); broken(); });
`;

let s: TestStackWithDags;

beforeAll(async () => {
  s = await startTickingStackWithDagFiles({ 'deferring.ts': DEFERRING });
}, 90_000);

afterAll(async () => {
  await s?.close();
}, 60_000);

describe('deferral on the local stack', () => {
  it('resumes the same try after a time trigger and a custom trigger; a trigger that throws fails its task', async () => {
    const key = await triggerAndStart(s.stack, { dagId: 'deferring' });
    const run = await waitForRunEnd(s.stack, key, { output: s.output });
    expect(run.state).toBe('failed');
    expect(await taskStates(s.stack, key)).toEqual({ waits: 'success/1', broken: 'failed/1' });
    expect(await returnValue(s.stack, key, 'waits')).toEqual({ method: 'after_ready', event: { label: 'go' }, try: 1 });
    // One log per try: the first run and both resumes are all in it, in order.
    const log = await attemptLog(s.stack, key, 'waits', 1);
    expect(log.match(/Starting attempt 1 of 1/g)).toHaveLength(3);
    expect(log.indexOf('after_sleep')).toBeLessThan(log.lastIndexOf('Marking task as SUCCESS'));
  }, 90_000);
});
