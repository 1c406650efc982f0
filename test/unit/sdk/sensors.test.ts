import { describe, expect, it } from 'vitest';
import {
  DagDefinitionError,
  dag,
  dateTimeSensor,
  externalTaskSensor,
  httpSensor,
  s3KeySensor,
  sensor,
  timeDeltaSensor,
  type SensorTaskDefinition,
} from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

describe('sensor()', () => {
  it("applies Airflow's defaults and keeps the poke function on the worker side only", () => {
    const poke = () => true;
    const built = dag({ dagId: 'waits' }, () => {
      sensor({ taskId: 'ready', retries: 2 }, poke);
    });
    const ready = built.tasks.get('ready') as SensorTaskDefinition;
    expect(ready).toMatchObject({
      operator: 'sensor',
      retries: 2,
      sensor: {
        kind: 'custom',
        mode: 'poke',
        pokeIntervalSeconds: 60,
        timeoutSeconds: 604_800,
        softFail: false,
        exponentialBackoff: false,
        maxWaitSeconds: null,
      },
    });
    expect(ready.sensorFunctions.poke).toBe(poke);
    const serialized = serializeDag(built, 'waits.ts').tasks[0]!;
    expect(serialized.operator).toBe('sensor');
    expect(serialized.templateFields).toEqual({ sensor: ready.sensor });
    expect(serialized).not.toHaveProperty('sensorFunctions');
    expect(serialized).not.toHaveProperty('sensor');
  });

  it('refuses a bad mode, interval, timeout or maxWait and a missing poke function, naming the task', () => {
    const inDag = (define: () => unknown) => definitionError(() => dag({ dagId: 'bad' }, () => void define()));
    expect(inDag(() => sensor({ taskId: 'a', mode: 'defer' as never }, () => true)).message).toMatch(
      /DAG "bad", task "a": mode must be "poke" or "reschedule"/,
    );
    expect(inDag(() => sensor({ taskId: 'a', pokeInterval: -1 }, () => true)).message).toMatch(/pokeInterval must be a number of seconds >= 0/);
    expect(inDag(() => sensor({ taskId: 'a', timeout: Number.NaN }, () => true)).message).toMatch(/timeout must be/);
    expect(inDag(() => sensor({ taskId: 'a', maxWait: 0 }, () => true)).message).toMatch(/maxWait must be a number of seconds > 0/);
    expect(inDag(() => sensor({ taskId: 'a' }, 'nope' as never)).message).toMatch(/needs a poke function/);
    expect(inDag(() => sensor({ taskId: 'a', pokeIntervall: 5 } as never, () => true)).message).toMatch(/unknown option "pokeIntervall"/);
  });
});

describe('s3KeySensor()', () => {
  it('keeps the keys as template fields and refuses a plain key without a bucket', () => {
    const built = dag({ dagId: 's3' }, () => {
      s3KeySensor({ taskId: 'one', bucketKey: 's3://landing/{{ ds }}/*.csv', wildcardMatch: true, mode: 'reschedule' });
      s3KeySensor({ taskId: 'many', bucketKey: ['a.csv', 'b.csv'], bucketName: 'landing' });
    });
    expect(built.tasks.get('one')?.templateFields).toMatchObject({ bucketKey: 's3://landing/{{ ds }}/*.csv', wildcardMatch: true });
    expect(built.tasks.get('many')?.templateFields).toMatchObject({ bucketKey: ['a.csv', 'b.csv'], bucketName: 'landing' });
    expect(definitionError(() => dag({ dagId: 'x' }, () => void s3KeySensor({ taskId: 'k', bucketKey: 'plain.csv' }))).message).toMatch(
      /full s3:\/\/bucket\/key URL when bucketName is not given/,
    );
  });
});

describe('externalTaskSensor()', () => {
  it("defaults as Airflow: allowed ['success'], no failed or skipped states, same logical date", () => {
    const built = dag({ dagId: 'report' }, () => {
      externalTaskSensor({ taskId: 'wait', externalDagId: 'ingest', externalTaskId: 'load' });
    });
    expect(built.tasks.get('wait')?.templateFields).toMatchObject({
      externalDagId: 'ingest',
      externalTaskIds: ['load'],
      allowedStates: ['success'],
      failedStates: [],
      skippedStates: [],
    });
  });

  it('refuses shared states, states of the wrong kind, and both ways of shifting the date', () => {
    const define = (options: Parameters<typeof externalTaskSensor>[0]) => () => dag({ dagId: 'r' }, () => void externalTaskSensor(options));
    expect(definitionError(define({ taskId: 'w', externalDagId: 'i', failedStates: ['success'] })).message).toMatch(/must not share a state/);
    expect(definitionError(define({ taskId: 'w', externalDagId: 'i', failedStates: ['upstream_failed'] })).message).toMatch(
      /"upstream_failed" is not a DAG run state/,
    );
    expect(
      definitionError(define({ taskId: 'w', externalDagId: 'i', executionDelta: 3600, executionDateFn: (d) => d })).message,
    ).toMatch(/executionDelta or executionDateFn, not both/);
    expect(definitionError(define({ taskId: 'w', externalDagId: 'i', externalTaskId: 'a', externalTaskIds: ['b'] })).message).toMatch(
      /externalTaskId or externalTaskIds, not both/,
    );
  });
});

describe('time and HTTP sensors', () => {
  it('record their arguments and refuse a target time that is not an instant', () => {
    const built = dag({ dagId: 'times' }, () => {
      timeDeltaSensor({ taskId: 'delta', delta: 7200 });
      dateTimeSensor({ taskId: 'at', targetTime: new Date('2025-01-01T09:00:00Z') });
      httpSensor({ taskId: 'http', endpoint: 'status/{{ ds }}', responseCheck: () => true });
    });
    expect(built.tasks.get('delta')?.templateFields).toMatchObject({ deltaSeconds: 7200 });
    expect(built.tasks.get('at')?.templateFields).toMatchObject({ targetTime: '2025-01-01T09:00:00.000Z' });
    expect(built.tasks.get('http')?.templateFields).toMatchObject({ endpoint: 'status/{{ ds }}', method: 'GET', httpConnId: 'http_default' });
    expect((built.tasks.get('http') as SensorTaskDefinition).sensorFunctions.responseCheck).toBeTypeOf('function');
    expect(definitionError(() => dag({ dagId: 'x' }, () => void dateTimeSensor({ taskId: 't', targetTime: 'tomorrow' }))).message).toMatch(
      /not an ISO 8601 instant/,
    );
  });
});
