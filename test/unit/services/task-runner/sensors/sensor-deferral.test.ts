import { describe, expect, it } from 'vitest';
import {
  dag,
  dateTimeSensor,
  deferralOf,
  externalTaskSensor,
  httpSensor,
  SkipTask,
  timeDeltaSensor,
  type SensorTaskDefinition,
  type TaskContext,
} from '../../../../../src/sdk/index.ts';
import type { DagRunStatesResponse } from '../../../../../src/http/execution-api-client.ts';
import { runSensor, type SensorRuntime } from '../../../../../src/services/task-runner/sensors/run-sensor.ts';
import { sensorTrigger } from '../../../../../src/services/task-runner/sensors/sensor-deferral.ts';
import { ExternalTaskFailedError, SensorTimeoutError } from '../../../../../src/services/task-runner/sensors/sensor-errors.ts';

const T0 = new Date('2025-03-01T00:00:00Z');
const DAY_END = new Date(T0.getTime() + 86_400_000);

function definition(build: () => unknown): SensorTaskDefinition {
  const built = dag({ dagId: 'sensing' }, () => void build());
  return [...built.tasks.values()][0] as SensorTaskDefinition;
}

function context(resume: TaskContext['resume'] = null): TaskContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    dagId: 'sensing',
    taskId: 'wait',
    runId: 'manual__2025-03-01',
    mapIndex: -1,
    tryNumber: 1,
    logicalDate: T0,
    dataIntervalStart: T0,
    dataIntervalEnd: DAY_END,
    log: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) },
    signal: new AbortController().signal,
    resume,
    lines,
  } as unknown as TaskContext & { lines: string[] };
}

const runtimeAt = (now: Date, extra: Partial<SensorRuntime> = {}): SensorRuntime => ({ now: () => now, firstPokeDate: null, ...extra });

/** The deferral runSensor threw, as the runner reads it. */
async function deferralFrom(promise: Promise<unknown>) {
  const thrown = await promise.then(
    (result) => ({ returned: result }),
    (error: unknown) => error,
  );
  const deferral = deferralOf(thrown);
  if (!deferral) throw new Error(`expected a deferral, got ${JSON.stringify(thrown)}`);
  return deferral;
}

describe('a deferrable sensor', () => {
  it('pokes once, then defers with a datetime trigger at its target and the rest of its timeout', async () => {
    const task = definition(() => dateTimeSensor({ taskId: 'wait', targetTime: '{{ ds }}T09:00:00Z', timeout: 7200, deferrable: true }));
    const now = new Date('2025-03-01T08:00:00Z');
    const deferral = await deferralFrom(runSensor(task, { targetTime: '2025-03-01T09:00:00Z' }, context(), runtimeAt(now)));
    expect(deferral).toEqual({
      trigger: { kind: 'datetime', kwargs: { moment: '2025-03-01T09:00:00.000Z' } },
      method: 'execute_complete',
      kwargs: { sensorFirstPoke: now.toISOString() },
      timeoutSeconds: 7200,
    });
  });

  it('succeeds at once, without deferring, when the first poke is met', async () => {
    const task = definition(() => timeDeltaSensor({ taskId: 'wait', delta: 60, deferrable: true }));
    const after = new Date(DAY_END.getTime() + 61_000);
    expect(await runSensor(task, { deltaSeconds: 60 }, context(), runtimeAt(after))).toEqual({ kind: 'success', returnValue: undefined });
  });

  it('timeDeltaSensor waits for the data interval end plus delta', async () => {
    const task = definition(() => timeDeltaSensor({ taskId: 'wait', delta: 3600, deferrable: true }));
    const deferral = await deferralFrom(runSensor(task, { deltaSeconds: 3600 }, context(), runtimeAt(T0)));
    expect(deferral.trigger).toEqual({ kind: 'datetime', kwargs: { moment: new Date(DAY_END.getTime() + 3600_000).toISOString() } });
  });

  it('succeeds when resumed by its time trigger, without poking again', async () => {
    const task = definition(() => dateTimeSensor({ taskId: 'wait', targetTime: '2025-03-01T09:00:00Z', deferrable: true }));
    const ctx = context({ method: 'execute_complete', event: '2025-03-01T09:00:00.000Z', kwargs: { sensorFirstPoke: T0.toISOString() } });
    // The clock is before the target: a poke would not be met, so success proves the event was trusted.
    const result = await runSensor(task, { targetTime: '2025-03-01T09:00:00Z' }, ctx, runtimeAt(T0));
    expect(result).toEqual({ kind: 'success', returnValue: undefined });
    expect(ctx.lines).toContain('The trigger fired: success criteria met. Exiting.');
  });

  it('keeps counting its timeout from the first poke it carried through the deferral', async () => {
    const task = definition(() =>
      externalTaskSensor({ taskId: 'wait', externalDagId: 'ingest', externalTaskId: 'load', timeout: 3600, deferrable: true }),
    );
    const running = states({ load: 'running' });
    const firstPoke = new Date(T0.getTime() - 1000_000);
    const resumed = context({ method: 'execute_complete', event: {}, kwargs: { sensorFirstPoke: firstPoke.toISOString() } });
    const again = await deferralFrom(runSensor(task, task.templateFields, resumed, runtimeAt(T0, { readDagRunStates: running })));
    expect(again.timeoutSeconds).toBe(2600);
    expect(again.kwargs).toEqual({ sensorFirstPoke: firstPoke.toISOString() });

    const late = runtimeAt(new Date(firstPoke.getTime() + 3601_000), { readDagRunStates: running });
    await expect(runSensor(task, task.templateFields, resumed, late)).rejects.toBeInstanceOf(SensorTimeoutError);
  });
});

function states(byTask: Record<string, string>, runState = 'running'): NonNullable<SensorRuntime['readDagRunStates']> {
  return async () =>
    ({
      dagRun: { runId: 'scheduled__x', state: runState },
      taskInstances: Object.entries(byTask).map(([taskId, state]) => ({ taskId, mapIndex: -1, state })),
    }) as DagRunStatesResponse;
}

describe('a deferrable externalTaskSensor', () => {
  const build = (softFail = false) =>
    definition(() =>
      externalTaskSensor({
        taskId: 'wait',
        externalDagId: 'ingest',
        externalTaskIds: ['a', 'b'],
        failedStates: ['failed'],
        skippedStates: ['skipped'],
        softFail,
        deferrable: true,
      }),
    );

  it('waits with an external_run trigger whose failed and skipped states fire it, for the sensor to decide', async () => {
    const task = build();
    const deferral = await deferralFrom(runSensor(task, task.templateFields, context(), runtimeAt(T0, { readDagRunStates: states({ a: 'success', b: 'running' }) })));
    expect(deferral.trigger).toEqual({
      kind: 'external_run',
      kwargs: {
        dagId: 'ingest',
        logicalDate: T0.toISOString(),
        allowedStates: ['success'],
        failedStates: [],
        taskIds: ['a', 'b'],
        stopStates: ['failed', 'skipped'],
      },
    });
  });

  it('on resume decides as a poke: success, failure, skip, or a skip with softFail', async () => {
    const resumed = () => context({ method: 'execute_complete', event: { state: 'x' }, kwargs: { sensorFirstPoke: T0.toISOString() } });
    const run = (task: SensorTaskDefinition, byTask: Record<string, string>) =>
      runSensor(task, task.templateFields, resumed(), runtimeAt(T0, { readDagRunStates: states(byTask) }));
    expect(await run(build(), { a: 'success', b: 'success' })).toEqual({ kind: 'success', returnValue: undefined });
    await expect(run(build(), { a: 'failed', b: 'running' })).rejects.toBeInstanceOf(ExternalTaskFailedError);
    await expect(run(build(), { a: 'skipped', b: 'success' })).rejects.toBeInstanceOf(SkipTask);
    await expect(run(build(true), { a: 'failed', b: 'running' })).rejects.toThrow(/Skipping due to softFail/);
  });

  it('waits for the first logical date that is not done when it looks at several', async () => {
    const task = definition(() =>
      externalTaskSensor({
        taskId: 'wait',
        externalDagId: 'ingest',
        executionDateFn: (date) => [new Date(date.getTime() - 86_400_000), date],
        deferrable: true,
      }),
    );
    const read: NonNullable<SensorRuntime['readDagRunStates']> = async (_dagId, date) =>
      ({ dagRun: { runId: 'r', state: date.getTime() < T0.getTime() ? 'success' : 'running' }, taskInstances: [] }) as DagRunStatesResponse;
    const deferral = await deferralFrom(runSensor(task, task.templateFields, context(), runtimeAt(T0, { readDagRunStates: read })));
    expect(deferral.trigger.kwargs).toMatchObject({ dagId: 'ingest', logicalDate: T0.toISOString(), failedStates: [] });
    expect(deferral.trigger.kwargs).not.toHaveProperty('taskIds');
  });
});

describe('the trigger of a deferrable httpSensor and s3KeySensor', () => {
  it('sends GET data in the query string through the connection, and a POST body as JSON', () => {
    const base = { endpoint: 'feeds/2025-03-01', httpConnId: 'feed', headers: { 'x-a': '1' } };
    expect(sensorTrigger('http', { ...base, method: 'GET', data: { day: 'mon', n: 2 } }, context(), {})).toEqual({
      kind: 'http',
      kwargs: { method: 'GET', connection: 'feed', endpoint: 'feeds/2025-03-01?day=mon&n=2', headers: { 'x-a': '1' } },
    });
    expect(sensorTrigger('http', { ...base, method: 'POST', data: { day: 'mon' } }, context(), {}).kwargs).toMatchObject({
      method: 'POST',
      endpoint: 'feeds/2025-03-01',
      body: { day: 'mon' },
    });
  });

  it('succeeds when resumed by its http trigger', async () => {
    const task = definition(() => httpSensor({ taskId: 'wait', endpoint: 'x', deferrable: true }));
    const ctx = context({ method: 'execute_complete', event: { status: 200, body: '' }, kwargs: {} });
    expect(await runSensor(task, task.templateFields, ctx, runtimeAt(T0))).toEqual({ kind: 'success', returnValue: undefined });
  });

  it('waits for the missing S3 key with the sensor\'s wildcard setting', () => {
    expect(sensorTrigger('s3_key', { bucketKey: ['s3://b/a', 's3://b/c*'], wildcardMatch: true }, context(), { s3Target: { bucket: 'b', key: 'c*' } })).toEqual({
      kind: 's3_key',
      kwargs: { bucket: 'b', key: 'c*', wildcardMatch: true },
    });
  });
});
