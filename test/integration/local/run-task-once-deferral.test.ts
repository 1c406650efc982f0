import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTaskOnce } from '../../../src/local/run-task-once.ts';

/**
 * `updraft tasks test` with tasks that wait: a deferral runs its trigger in-process and resumes the same
 * try; a rescheduled sensor pokes again when due. A test clock stands in for time: `sleep` moves it.
 */

const WAITING = `
import { dag, defineTrigger, externalRunTrigger, RescheduleTask, sensor, task, timeDeltaTrigger } from 'updraft/sdk';

let exportPolls = 0;
export const exportReady = defineTrigger({
  name: 'export_ready',
  poll: (kwargs, ctx) => {
    exportPolls += 1;
    ctx.log.info('poll ' + exportPolls + ' of export ' + kwargs.exportId);
    return exportPolls >= 3 ? { payload: { url: 's3://exports/' + kwargs.exportId + '.csv' } } : null;
  },
});
export const sourceGone = defineTrigger({ name: 'source_gone', poll: () => { throw new Error('the source was deleted'); } });
export const never = defineTrigger({ name: 'never', poll: () => null });

const nap = task({ taskId: 'nap' }, async (ctx) => {
  if (ctx.resume === null) {
    await ctx.ti.xcomPush('before', 'kept');
    ctx.defer({ trigger: timeDeltaTrigger(30), kwargs: { note: 'short' } });
  }
  return { method: ctx.resume.method, kwargs: ctx.resume.kwargs, event: ctx.resume.event, before: await ctx.ti.xcomPull('nap', 'before'), tryNumber: ctx.tryNumber };
});
const download = task({ taskId: 'download' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: exportReady({ exportId: ctx.ds }), method: 'fetch' });
  return ctx.resume.event.url;
});
const doomed = task({ taskId: 'doomed' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: sourceGone({}) });
  return 'unreachable';
});
const forever = task({ taskId: 'forever' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: never({}) });
});
const impatient = task({ taskId: 'impatient' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: never({}), timeout: 5 });
});
const sleepy = task({ taskId: 'sleepy' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: timeDeltaTrigger(3600) });
  return 'woke';
});
const other = task({ taskId: 'other' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: externalRunTrigger({ dagId: 'upstream_dag' }) });
});
let pokes = 0;
const readyPoke = () => {
  pokes += 1;
  return pokes >= 3 ? { done: true, xcomValue: pokes } : false;
};
let runs = 0;
const again = task({ taskId: 'again' }, () => {
  runs += 1;
  if (runs === 1) throw new RescheduleTask({ at: new Date('2026-03-01T12:00:10Z') });
  return runs;
});

export default dag({ dagId: 'waiting', schedule: null }, () => {
  nap(); download(); doomed(); forever(); impatient(); sleepy(); other(); again();
  sensor({ taskId: 'ready', mode: 'reschedule', pokeInterval: 20 }, readyPoke);
});
`;

let dagsFolder: string;

beforeAll(async () => {
  dagsFolder = await mkdtemp(join(tmpdir(), 'tasks-test-deferral-'));
  await writeFile(join(dagsFolder, 'waiting.ts'), WAITING);
});
afterAll(() => rm(dagsFolder, { recursive: true, force: true }));

/** A clock that only moves when the test sleeps, and the sleeps it was asked for. */
function testClock(start = '2026-03-01T12:00:00.000Z') {
  let current = new Date(start).getTime();
  const sleeps: number[] = [];
  return {
    now: () => new Date(current),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      current += ms;
    },
    sleeps,
  };
}

const run = (taskId: string, clock = testClock(), maxTriggerWaitSeconds?: number) =>
  runTaskOnce({
    dagId: 'waiting',
    taskId,
    dagsFolder,
    env: {},
    logicalDate: new Date('2026-03-01T00:00:00Z'),
    now: clock.now,
    sleep: clock.sleep,
    maxTriggerWaitSeconds,
  });

describe('runTaskOnce with deferral', () => {
  it('waits for a timeDeltaTrigger, then resumes the same try with the event and its kwargs; XComs pushed before are kept', async () => {
    const clock = testClock();
    const result = await run('nap', clock);
    expect(result.state).toBe('success');
    expect(clock.sleeps).toEqual([30_000]);
    expect(result.xcoms.return_value).toEqual({
      method: 'execute_complete',
      kwargs: { note: 'short' },
      event: '2026-03-01T12:00:30.000Z',
      before: 'kept',
      tryNumber: 1,
    });
    expect(result.log).toContain('Deferring the task until its "datetime" trigger fires');
    expect(result.log).toContain('The time trigger fired (2026-03-01T12:00:30.000Z); resuming the task.');
  });

  it('polls a custom trigger defined in the DAG file until it fires', async () => {
    const clock = testClock();
    const result = await run('download', clock);
    expect(result.state).toBe('success');
    expect(result.xcoms.return_value).toBe('s3://exports/2026-03-01.csv');
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(result.log).toContain('[trigger export_ready] poll 3 of export 2026-03-01');
    expect(result.log).toContain('The "export_ready" trigger fired on poll 3');
  });

  it('fails the task when its trigger throws, as the triggerer fails it', async () => {
    const result = await run('doomed');
    expect(result.state).toBe('failed');
    expect(result.log).toContain('Task failed: The "source_gone" trigger failed: Error: the source was deleted');
    expect(result.xcoms).toEqual({});
  });

  it('fails the task when the deferral times out before the trigger fires', async () => {
    const result = await run('impatient');
    expect(result.state).toBe('failed');
    expect(result.log).toMatch(/The "never" trigger did not fire before the deferral's timeout \(2026-03-01T12:00:05\.000Z\)/);
  });

  it('refuses a time trigger further away than --max-trigger-wait without waiting, and says how to allow it', async () => {
    const clock = testClock();
    const result = await run('sleepy', clock);
    expect(result.state).toBe('deferred');
    expect(clock.sleeps).toEqual([]);
    expect(result.unfinished).toContain('longer than --max-trigger-wait allows (60 s for the whole test)');
    expect(result.unfinished).toContain('Rerun with --max-trigger-wait 3601 or more');
    const allowed = await run('sleepy', testClock(), 3601);
    expect(allowed.state).toBe('success');
    expect(allowed.xcoms.return_value).toBe('woke');
  });

  it('stops polling a trigger that has not fired once the budget is spent', async () => {
    const clock = testClock();
    const result = await run('forever', clock, 3);
    expect(result.state).toBe('deferred');
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
    expect(result.unfinished).toContain('The "never" trigger had not fired after 4 poll(s)');
  });

  it('explains that an external-run trigger needs the runs that tasks test does not record', async () => {
    const result = await run('other');
    expect(result.state).toBe('deferred');
    expect(result.unfinished).toContain('reads DAG "upstream_dag"\'s runs');
    expect(result.unfinished).toContain('updraft dags test');
  });
});

describe('runTaskOnce with reschedules', () => {
  it('pokes a reschedule-mode sensor again after its interval until it is done', async () => {
    const clock = testClock();
    const result = await run('ready', clock);
    expect(result.state).toBe('success');
    expect(result.xcoms.return_value).toBe(3);
    expect(clock.sleeps).toEqual([20_000, 20_000]);
    expect(result.log.match(/Running the task again \(same try\)/g)).toHaveLength(2);
  });

  it('refuses a reschedule that would pass the budget', async () => {
    const result = await run('ready', testClock(), 30);
    expect(result.state).toBe('up_for_reschedule');
    expect(result.unfinished).toContain('longer than --max-trigger-wait allows (30 s for the whole test)');
  });

  it('runs a task that asked to be rescheduled again when due', async () => {
    const clock = testClock();
    const result = await run('again', clock);
    expect(result.state).toBe('success');
    expect(result.xcoms.return_value).toBe(2);
    expect(clock.sleeps).toEqual([10_000]);
  });
});
