import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../../src/core/errors.ts';
import type { TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import { at, createTestMetastore, taskInstance, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('ti-store'));
});

let runCounter = 0;
const newRun = () => ({ dagId: 'etl', runId: `manual__run-${++runCounter}` });

async function conflictOf(promise: Promise<unknown>): Promise<ConflictError<TaskInstanceRecord>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError<TaskInstanceRecord>;
}

describe('DynamoDbMetastore task instances', () => {
  it('creates task instances and reads every field back, nulls included', async () => {
    const run = newRun();
    const full = taskInstance(run, 'extract', {
      state: 'running',
      tryNumber: 2,
      executor: 'fargate',
      queuedAt: at('2024-05-01T10:00:00.001Z'),
      startDate: at('2024-05-01T10:00:01.002Z'),
      endDate: at('2024-05-01T10:00:02.003Z'),
      lastHeartbeatAt: at('2024-05-01T10:00:01.500Z'),
      nextRetryAt: at('2024-05-01T10:05:00.000Z'),
      workerId: 'worker-1',
      externalExecutorId: 'arn:aws:ecs:task/1',
      priorityWeight: 7,
    });
    const bare = taskInstance(run, 'load');
    const mapped = taskInstance(run, 'load', { mapIndex: 3 });
    await store.createTaskInstances([full, bare, mapped]);

    expect(await store.getTaskInstance(full)).toEqual(full);
    expect(await store.getTaskInstance(bare)).toEqual(bare);
    expect(await store.getTaskInstance(mapped)).toEqual(mapped);
    const listed = await store.listTaskInstances(run);
    expect(listed).toHaveLength(3);
    expect(listed).toEqual(expect.arrayContaining([full, bare, mapped]));
    expect(await store.getTaskInstance({ ...run, taskId: 'missing', mapIndex: -1 })).toBeNull();
  });

  it('creating again changes nothing, also for instances already advanced', async () => {
    const run = newRun();
    const instances = ['a', 'b', 'c'].map((taskId) => taskInstance(run, taskId));
    await store.createTaskInstances(instances);
    const advanced = await store.updateTaskInstance(
      { ...run, taskId: 'b', mapIndex: -1 },
      { state: 'queued', tryNumber: 1 },
      { state: 'none' },
    );
    // Repeats in one call (a retried tick may merge lists) are created once.
    await store.createTaskInstances([...instances, taskInstance(run, 'd'), taskInstance(run, 'd', { priorityWeight: 9 })]);

    const byTask = Object.fromEntries((await store.listTaskInstances(run)).map((ti) => [ti.taskId, ti]));
    expect(Object.keys(byTask).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(byTask.b).toEqual(advanced);
    expect(byTask.b?.state).toBe('queued');
    expect(byTask.a).toEqual(instances[0]);
    expect(byTask.d).toEqual(taskInstance(run, 'd'));
  });

  it('creates and lists 600 instances of one run (the query paginates)', async () => {
    const run = newRun();
    const instances = Array.from({ length: 600 }, (_, i) =>
      taskInstance(run, 'fan_out', { mapIndex: i, operator: 'bash'.padEnd(1500, '.') }),
    );
    await store.createTaskInstances(instances);
    const listed = await store.listTaskInstances(run);
    expect(listed).toHaveLength(600);
    expect(new Set(listed.map((ti) => ti.mapIndex)).size).toBe(600);
  });

  it('updates when every condition matches and returns the stored record', async () => {
    const run = newRun();
    const key = { ...run, taskId: 'work', mapIndex: -1 };
    await store.createTaskInstances([taskInstance(run, 'work', { state: 'queued', tryNumber: 1 })]);
    const started = await store.updateTaskInstance(
      key,
      { state: 'running', workerId: 'w1', startDate: at('2024-05-01T10:00:00.000Z') },
      { state: ['queued', 'scheduled'], tryNumber: 1, workerId: null },
    );
    expect(started).toMatchObject({ state: 'running', workerId: 'w1', tryNumber: 1 });
    expect(started.startDate).toEqual(at('2024-05-01T10:00:00.000Z'));

    const finished = await store.updateTaskInstance(
      key,
      { state: 'success', workerId: null, endDate: at('2024-05-01T10:00:03.000Z') },
      { state: 'running', tryNumber: 1, workerId: 'w1' },
    );
    expect(finished).toMatchObject({ state: 'success', workerId: null, endDate: at('2024-05-01T10:00:03.000Z') });
    expect(await store.getTaskInstance(key)).toEqual(finished);
  });

  it('an empty change with a matching condition returns the record unchanged', async () => {
    const run = newRun();
    const ti = taskInstance(run, 'noop', { state: 'queued', tryNumber: 1 });
    await store.createTaskInstances([ti]);
    expect(await store.updateTaskInstance(ti, {}, { state: 'queued' })).toEqual(ti);
  });

  it('counts distinct succeeded upstreams on a join, once each however often they are recorded', async () => {
    const run = newRun();
    const join = taskInstance(run, 'join');
    await store.createTaskInstances([join]);
    expect(await store.recordSucceededUpstream(join, 'a')).toBe(1);
    expect(await store.recordSucceededUpstream(join, 'a')).toBe(1);
    const concurrent = await Promise.all(['b', 'c', 'd', 'b'].map((upstream) => store.recordSucceededUpstream(join, upstream)));
    expect(Math.max(...concurrent.map((count) => count ?? 0))).toBe(4);
    // The count lives beside the record and leaves it as it was.
    expect(await store.getTaskInstance(join)).toEqual(join);
  });

  it('records no upstream success on a task instance that does not exist, and creates none', async () => {
    const run = newRun();
    const missing = taskInstance(run, 'never_created');
    expect(await store.recordSucceededUpstream(missing, 'a')).toBeNull();
    expect(await store.getTaskInstance(missing)).toBeNull();
  });

  describe('conflicts carry the record as stored now', () => {
    const setup = async () => {
      const run = newRun();
      const ti = taskInstance(run, 'guarded', { state: 'running', tryNumber: 2, workerId: 'w1' });
      await store.createTaskInstances([ti]);
      return ti;
    };

    it('on a wrong state', async () => {
      const ti = await setup();
      const conflict = await conflictOf(store.updateTaskInstance(ti, { state: 'running' }, { state: ['queued', 'scheduled'] }));
      expect(conflict.current).toEqual(ti);
      expect(conflict.message).toContain('expected state queued or scheduled');
      expect(conflict.message).toContain('it is state running, try 2, worker w1');
      expect(await store.getTaskInstance(ti)).toEqual(ti);
    });

    it('on a wrong try number', async () => {
      const ti = await setup();
      const conflict = await conflictOf(store.updateTaskInstance(ti, { state: 'success' }, { state: 'running', tryNumber: 1 }));
      expect(conflict.current).toEqual(ti);
      expect(await store.getTaskInstance(ti)).toEqual(ti);
    });

    it('on a wrong worker, and when a worker is required to be absent', async () => {
      const ti = await setup();
      const other = await conflictOf(store.updateTaskInstance(ti, { state: 'success' }, { workerId: 'w2' }));
      expect(other.current).toEqual(ti);
      const none = await conflictOf(store.updateTaskInstance(ti, { workerId: 'w3' }, { workerId: null }));
      expect(none.current).toEqual(ti);
      expect(none.message).toContain('expected no worker');
    });

    it('on a missing task instance, with current null and nothing created', async () => {
      const key = { ...newRun(), taskId: 'ghost', mapIndex: -1 };
      const conflict = await conflictOf(store.updateTaskInstance(key, { state: 'queued' }));
      expect(conflict.current).toBeNull();
      expect(conflict.message).toContain('does not exist');
      expect(await store.getTaskInstance(key)).toBeNull();
    });
  });

  it('of two concurrent conditional updates exactly one wins', async () => {
    const run = newRun();
    const ti = taskInstance(run, 'race', { state: 'queued', tryNumber: 1 });
    await store.createTaskInstances([ti]);
    const results = await Promise.allSettled(
      ['w1', 'w2', 'w3', 'w4'].map((workerId) =>
        store.updateTaskInstance(ti, { state: 'running', workerId }, { state: 'queued', tryNumber: 1, workerId: null }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    const winner = (won[0] as PromiseFulfilledResult<TaskInstanceRecord>).value;
    for (const loss of lost) {
      expect(loss.reason).toBeInstanceOf(ConflictError);
      expect((loss.reason as ConflictError<TaskInstanceRecord>).current?.workerId).toBe(winner.workerId);
    }
    expect((await store.getTaskInstance(ti))?.workerId).toBe(winner.workerId);
  });

  it('sets deadlineAlertedAt only where it is absent when the condition asks, and a clear (null) removes it', async () => {
    const run = newRun();
    const ti = taskInstance(run, 'slow', { state: 'running', tryNumber: 1 });
    await store.createTaskInstances([ti]);
    expect(await store.getTaskInstance(ti)).not.toHaveProperty('deadlineAlertedAt');

    const first = at('2024-05-01T10:10:00.000Z');
    expect((await store.updateTaskInstance(ti, { deadlineAlertedAt: first }, { state: 'running', deadlineAlertedAt: null })).deadlineAlertedAt).toEqual(first);
    const conflict = await conflictOf(
      store.updateTaskInstance(ti, { deadlineAlertedAt: at('2024-05-01T10:11:00.000Z') }, { state: 'running', deadlineAlertedAt: null }),
    );
    expect(conflict.message).toMatch(/expected no deadline alert sent yet, state running; it is state running, try 1, no worker, deadline alerted at 2024-05-01T10:10:00.000Z/);
    expect(conflict.current?.deadlineAlertedAt).toEqual(first);

    await store.updateTaskInstance(ti, { state: 'none', deadlineAlertedAt: null });
    expect(await store.getTaskInstance(ti)).toEqual({ ...ti, state: 'none' });
  });
});
