import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dag,
  externalTaskSensor,
  FailNoRetry,
  httpSensor,
  sensor,
  SkipTask,
  timeDeltaSensor,
  type SensorOptions,
  type SensorPokeFunction,
  type SensorTaskDefinition,
  type TaskConnection,
  type TaskContext,
} from '../../../../../src/sdk/index.ts';
import type { DagRunStatesResponse } from '../../../../../src/http/execution-api-client.ts';
import { runSensor, type SensorRuntime } from '../../../../../src/services/task-runner/sensors/run-sensor.ts';
import { ExternalTaskFailedError, HttpSensorError, SensorTimeoutError } from '../../../../../src/services/task-runner/sensors/sensor-errors.ts';

const T0 = new Date('2025-03-01T00:00:00Z');

function definition(build: () => unknown): SensorTaskDefinition {
  const built = dag({ dagId: 'sensing' }, () => void build());
  return [...built.tasks.values()][0] as SensorTaskDefinition;
}

function customSensor(options: Partial<SensorOptions>, poke: SensorPokeFunction): SensorTaskDefinition {
  return definition(() => sensor({ taskId: 'wait', ...options }, poke));
}

/** A clock that only moves when the sensor sleeps, and a record of every sleep. */
function fakeTime(start = T0) {
  let now = start.getTime();
  const sleeps: number[] = [];
  const runtime: SensorRuntime = {
    now: () => new Date(now),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    firstPokeDate: null,
  };
  return { runtime, sleeps, advance: (ms: number) => (now += ms) };
}

function context(overrides: Partial<TaskContext> = {}, connections: Record<string, Partial<TaskConnection>> = {}): TaskContext {
  const lines: string[] = [];
  return {
    dagId: 'sensing',
    taskId: 'wait',
    runId: 'manual__2025-03-01',
    mapIndex: -1,
    tryNumber: 1,
    ds: '2025-03-01',
    dsNodash: '20250301',
    ts: '2025-03-01T00:00:00+00:00',
    logicalDate: T0,
    dataIntervalStart: T0,
    dataIntervalEnd: new Date(T0.getTime() + 86_400_000),
    params: {},
    conf: {},
    ti: {} as TaskContext['ti'],
    variables: {} as TaskContext['variables'],
    connections: {
      get: async (connId) => {
        const found = connections[connId];
        if (!found) throw new Error(`no connection ${connId}`);
        return { connId, connType: 'http', host: null, login: null, password: null, schema: null, port: null, extra: {}, ...found };
      },
    },
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
    signal: new AbortController().signal,
    outletEvents: {} as TaskContext['outletEvents'],
    triggeringAssetEvents: {},
    ...overrides,
  } as TaskContext;
}

describe('runSensor in poke mode', () => {
  it('pokes every pokeInterval until the check is met, and pushes its xcomValue', async () => {
    const time = fakeTime();
    let pokes = 0;
    const task = customSensor({ pokeInterval: 30 }, () => (++pokes < 3 ? false : { done: true, xcomValue: { files: 2 } }));
    expect(await runSensor(task, {}, context(), time.runtime)).toEqual({ kind: 'success', returnValue: { files: 2 } });
    expect(pokes).toBe(3);
    expect(time.sleeps).toEqual([30_000, 30_000]);
  });

  it('reads { done: false } as not yet, and a plain truthy value as done without an XCom', async () => {
    const time = fakeTime();
    let pokes = 0;
    const task = customSensor({ pokeInterval: 5 }, () => (++pokes < 2 ? { done: false, xcomValue: 'ignored' } : 'yes'));
    expect(await runSensor(task, {}, context(), time.runtime)).toEqual({ kind: 'success', returnValue: undefined });
  });

  it('fails with a SensorTimeoutError once it waited longer than its timeout, or skips with softFail', async () => {
    const task = customSensor({ pokeInterval: 60, timeout: 150 }, () => false);
    const time = fakeTime();
    const failure = await runSensor(task, {}, context(), time.runtime).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SensorTimeoutError);
    expect((failure as Error).message).toMatch(/run duration of 180 seconds exceeds the specified timeout of 150/);
    expect(time.sleeps).toEqual([60_000, 60_000, 60_000]);

    const soft = customSensor({ pokeInterval: 60, timeout: 150, softFail: true }, () => false);
    expect(await runSensor(soft, {}, context(), fakeTime().runtime)).toMatchObject({ kind: 'skipped', message: expect.stringMatching(/softFail/) });
  });

  it('turns a FailNoRetry from the check into a skip with softFail, and lets other errors fail the task', async () => {
    const failing = customSensor({ softFail: true }, () => {
      throw new FailNoRetry('bad input');
    });
    expect(await runSensor(failing, {}, context(), fakeTime().runtime)).toMatchObject({ kind: 'skipped' });
    const broken = customSensor({ softFail: true }, () => {
      throw new Error('boom');
    });
    await expect(runSensor(broken, {}, context(), fakeTime().runtime)).rejects.toThrow('boom');
  });

  it("reschedules instead of sleeping past the worker's deadline, keeping the first poke's date", async () => {
    const time = fakeTime();
    const task = customSensor({ pokeInterval: 60 }, () => false);
    const result = await runSensor(task, {}, context(), { ...time.runtime, deadlineMs: T0.getTime() + 100_000 });
    expect(result).toEqual({
      kind: 'reschedule',
      rescheduleDate: new Date(T0.getTime() + 120_000),
      firstRescheduleDate: T0,
    });
    expect(time.sleeps).toEqual([60_000]);
  });
});

describe('runSensor in reschedule mode', () => {
  it('pokes once, then gives the worker back until the next poke', async () => {
    const time = fakeTime();
    const task = customSensor({ mode: 'reschedule', pokeInterval: 300 }, () => false);
    expect(await runSensor(task, {}, context(), time.runtime)).toEqual({
      kind: 'reschedule',
      rescheduleDate: new Date(T0.getTime() + 300_000),
      firstRescheduleDate: T0,
    });
    expect(time.sleeps).toEqual([]);
  });

  it('counts the timeout from the first poke of the try, across reschedules', async () => {
    const task = customSensor({ mode: 'reschedule', pokeInterval: 300, timeout: 3600 }, () => false);
    const firstPoke = new Date(T0.getTime() - 3000_000);
    const time = fakeTime();
    expect(await runSensor(task, {}, context(), { ...time.runtime, firstPokeDate: firstPoke })).toMatchObject({
      kind: 'reschedule',
      firstRescheduleDate: firstPoke,
    });
    time.advance(700_000);
    await expect(runSensor(task, {}, context(), { ...time.runtime, firstPokeDate: firstPoke })).rejects.toBeInstanceOf(SensorTimeoutError);
  });
});

describe('built-in sensors', () => {
  it('timeDeltaSensor is done once now is past the data interval end plus delta', async () => {
    const task = definition(() => timeDeltaSensor({ taskId: 'grace', delta: 3600, mode: 'reschedule' }));
    const end = T0.getTime() + 86_400_000;
    expect((await runSensor(task, { deltaSeconds: 3600 }, context(), fakeTime(new Date(end + 3600_000)).runtime)).kind).toBe('reschedule');
    expect((await runSensor(task, { deltaSeconds: 3600 }, context(), fakeTime(new Date(end + 3600_001)).runtime)).kind).toBe('success');
  });

  it('externalTaskSensor waits for allowed states, fails on failed states and skips on skipped ones', async () => {
    const task = definition(() =>
      externalTaskSensor({
        taskId: 'wait',
        externalDagId: 'ingest',
        externalTaskIds: ['a', 'b'],
        failedStates: ['failed'],
        skippedStates: ['skipped'],
        executionDelta: 3600,
        mode: 'reschedule',
      }),
    );
    const fields = task.templateFields as Record<string, unknown>;
    const asked: Date[] = [];
    const answer = (a: string, b: string): SensorRuntime['readDagRunStates'] => async (_dagId, logicalDate) => {
      asked.push(logicalDate);
      return {
        dagRun: { runId: 'r', state: 'running' },
        taskInstances: [
          { taskId: 'a', mapIndex: -1, state: a },
          { taskId: 'b', mapIndex: -1, state: b },
        ],
      } as DagRunStatesResponse;
    };
    const run = (a: string, b: string) => runSensor(task, fields, context(), { ...fakeTime().runtime, readDagRunStates: answer(a, b) });
    expect((await run('success', 'running')).kind).toBe('reschedule');
    expect(await run('success', 'success')).toEqual({ kind: 'success', returnValue: undefined });
    await expect(run('failed', 'success')).rejects.toBeInstanceOf(ExternalTaskFailedError);
    await expect(run('skipped', 'success')).rejects.toBeInstanceOf(SkipTask);
    expect(asked[0]).toEqual(new Date(T0.getTime() - 3600_000));
  });

  describe('httpSensor', () => {
    let server: Server;
    let port = 0;
    const seen: Array<{ url: string; auth: string | undefined; token: string | undefined }> = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        seen.push({ url: request.url ?? '', auth: request.headers.authorization, token: request.headers['x-token'] as string | undefined });
        const status = request.url?.startsWith('/api/ready') ? 200 : request.url?.startsWith('/api/broken') ? 500 : 404;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ state: status === 200 ? 'published' : 'nope' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const connections = () => ({ feed: { host: '127.0.0.1', port, schema: 'http', login: 'me', password: 'pw', extra: { 'x-token': 't1' } } });
    const httpTask = (check?: (response: { json: unknown }) => boolean) =>
      definition(() => httpSensor({ taskId: 'feed', httpConnId: 'feed', endpoint: 'x', mode: 'reschedule', ...(check ? { responseCheck: check } : {}) }));
    const fields = (endpoint: string) => ({ endpoint, method: 'GET', httpConnId: 'feed', data: { day: '2025-03-01' } });

    it("builds the URL from the connection as Airflow's HttpHook, with basic auth and the extra as headers", async () => {
      const result = await runSensor(httpTask(), fields('/api/ready'), context({}, connections()), fakeTime().runtime);
      expect(result.kind).toBe('success');
      expect(seen.at(-1)).toEqual({
        url: '/api/ready?day=2025-03-01',
        auth: `Basic ${Buffer.from('me:pw').toString('base64')}`,
        token: 't1',
      });
    });

    it('reads 404 as not yet, applies responseCheck to 2xx answers and fails on other errors', async () => {
      expect((await runSensor(httpTask(), fields('api/missing'), context({}, connections()), fakeTime().runtime)).kind).toBe('reschedule');
      const picky = httpTask((response) => (response.json as { state: string }).state === 'archived');
      expect((await runSensor(picky, fields('api/ready'), context({}, connections()), fakeTime().runtime)).kind).toBe('reschedule');
      await expect(runSensor(httpTask(), fields('api/broken'), context({}, connections()), fakeTime().runtime)).rejects.toBeInstanceOf(
        HttpSensorError,
      );
    });
  });
});
