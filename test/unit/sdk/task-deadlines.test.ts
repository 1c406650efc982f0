import { describe, expect, it } from 'vitest';
import { bash, dag, DeadlineReference, defaultRunNotificationText, empty, httpNotifier, task, type DeadlineAlert } from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

const late = (): DeadlineAlert => ({ reference: DeadlineReference.TASK_QUEUED_AT, interval: 600, callback: () => {} });

describe('a task deadline', () => {
  it('is a task option of every operator, and comes from defaultArgs unless the task sets its own', () => {
    const own: DeadlineAlert = { reference: DeadlineReference.TASK_STARTED_AT, interval: 60, callback: httpNotifier({ connId: 'slack' }) };
    const built = dag({ dagId: 'deadlines', defaultArgs: { deadline: late() } }, () => {
      empty({ taskId: 'join' });
      bash({ taskId: 'export', bashCommand: 'echo hi', deadline: own });
      task({ taskId: 'load' }, () => 1)();
    });
    expect(built.tasks.get('join')?.deadline).toMatchObject({ reference: { kind: 'task_queued_at' }, intervalSeconds: 600 });
    expect(built.tasks.get('export')?.deadline).toMatchObject({ reference: { kind: 'task_started_at' }, intervalSeconds: 60 });
    expect(built.tasks.get('load')?.deadline?.callbacks).toHaveLength(1);
    expect(dag({ dagId: 'none' }, () => void empty({ taskId: 'a' })).tasks.get('a')?.deadline).toBeNull();
  });

  it('serializes its reference and interval (a fixed instant too), never its callback, and only when set', () => {
    const built = dag({ dagId: 'fixed' }, () => {
      empty({ taskId: 'a', deadline: { reference: DeadlineReference.FIXED_DATETIME('2025-06-01T08:00:00+02:00'), interval: -300, callback: () => {} } });
      empty({ taskId: 'b' });
    });
    const [a, b] = serializeDag(built, 'fixed.ts').tasks;
    expect(a?.deadline).toEqual({ reference: 'fixed_datetime', at: '2025-06-01T06:00:00.000Z', intervalSeconds: -300 });
    expect(b).not.toHaveProperty('deadline');
  });

  it("refuses a DAG-run reference on a task and a task reference on a DAG, saying which references fit", () => {
    const onTask = definitionError(() =>
      dag({ dagId: 'mixed' }, () => {
        empty({ taskId: 'a', deadline: { reference: DeadlineReference.DAGRUN_QUEUED_AT, interval: 60, callback: () => {} } });
      }),
    );
    expect(onTask.message).toMatch(/DeadlineReference\.DAGRUN_QUEUED_AT is for a DAG's deadline; a task's deadline takes DeadlineReference\.TASK_QUEUED_AT, DeadlineReference\.TASK_STARTED_AT or DeadlineReference\.FIXED_DATETIME\(date\)/);
    const onDag = definitionError(() =>
      dag({ dagId: 'mixed', deadline: { reference: DeadlineReference.TASK_STARTED_AT, interval: 60, callback: () => {} } }, () => {}),
    );
    expect(onDag.message).toMatch(/DeadlineReference\.TASK_STARTED_AT is for a task's deadline; a DAG's deadline takes DeadlineReference\.DAGRUN_QUEUED_AT/);
    const inDefaults = definitionError(() =>
      dag({ dagId: 'mixed', defaultArgs: { deadline: { reference: DeadlineReference.DAGRUN_LOGICAL_DATE, interval: 60, callback: () => {} } } }, () => {}),
    );
    expect(inDefaults.message).toMatch(/defaultArgs: deadline\.reference DeadlineReference\.DAGRUN_LOGICAL_DATE is for a DAG's deadline/);
    expect(definitionError(() => dag({ dagId: 'x' }, () => void empty({ taskId: 'a', deadline: { ...late(), callback: [] } }))).message).toMatch(
      /deadline\.callback is required/,
    );
  });

  it('names the late task instance in the default notification text', () => {
    const ctx = { dagId: 'etl', runId: 'manual__1', taskInstance: { taskId: 'load', mapIndex: 2, tryNumber: 1, state: 'running' } };
    const info = { event: 'deadline' as const, state: 'running', reason: 'deadline_missed', deadline: new Date('2025-01-01T06:15:00Z') };
    expect(defaultRunNotificationText(ctx, info)).toBe(
      'DAG etl, run manual__1: task load[2] missed its deadline and is still running. It was due at 2025-01-01T06:15:00.000Z.',
    );
  });
});
