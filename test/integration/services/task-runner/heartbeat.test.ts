import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskInstanceId } from '../../../../src/core/model/keys.ts';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { createRunnerHarness, taskStarted } from './runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;

beforeAll(async () => {
  h = await createRunnerHarness('runner-hb', { heartbeatIntervalSeconds: 0.05 });
});
afterAll(async () => {
  await h?.close();
});

describe('runTask heartbeats', () => {
  it('stops the task when a heartbeat answers 409, and does not report a finish', async () => {
    const run = await h.seedRun();
    const watched = await h.queue(run, 'watched');
    const started = taskStarted('watched');
    const outcome = runTask(watched, h.deps());
    await started;
    // What the scheduler does to a task it considers lost (or a user clearing it): the attempt is no longer running.
    await h.metastore.updateTaskInstance(watched.ti, { state: 'failed', workerId: null }, { state: 'running' });

    expect(await outcome).toEqual({ kind: 'interrupted', reason: 'not_running' });
    const id = encodeTaskInstanceId(watched.ti);
    const ours = h.calls.filter((call) => call.path.includes(id));
    expect(ours.some((call) => call.method === 'PUT' && call.path.endsWith('/heartbeat'))).toBe(true);
    expect(ours.some((call) => call.path.endsWith('/state'))).toBe(false);
    expect((await h.ti(watched))?.state).toBe('failed');
    expect(await h.log(watched)).toContain('no longer running here (state failed); stopping the task');
  });
});
