import { describe, expect, it } from 'vitest';
import {
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

const inDag = (define: () => unknown) => definitionError(() => dag({ dagId: 'bad' }, () => void define()));

describe('the deferrable sensor option', () => {
  it('is kept in the sensor settings (and the serialized DAG) of every built-in sensor that sets it', () => {
    const built = dag({ dagId: 'waits' }, () => {
      s3KeySensor({ taskId: 's3', bucketKey: 's3://landing/a.csv', deferrable: true });
      externalTaskSensor({ taskId: 'ext', externalDagId: 'up', externalTaskId: 'load', deferrable: true });
      timeDeltaSensor({ taskId: 'delta', delta: 60, deferrable: true });
      dateTimeSensor({ taskId: 'at', targetTime: '{{ ds }}T09:00:00Z', deferrable: true });
      httpSensor({ taskId: 'http', endpoint: 'status', deferrable: true });
    });
    for (const task of built.tasks.values()) {
      expect((task as SensorTaskDefinition).sensor).toMatchObject({ deferrable: true, mode: 'poke' });
    }
    const serialized = serializeDag(built, 'waits.ts').tasks.find((task) => task.taskId === 's3')!;
    expect(serialized.templateFields.sensor).toMatchObject({ deferrable: true, softFail: false });
  });

  it('is left out of the settings when not set, so existing DAG versions keep their ids', () => {
    const built = dag({ dagId: 'waits' }, () => {
      s3KeySensor({ taskId: 's3', bucketKey: 's3://landing/a.csv' });
      s3KeySensor({ taskId: 's3_off', bucketKey: 's3://landing/a.csv', deferrable: false });
    });
    for (const task of built.tasks.values()) expect((task as SensorTaskDefinition).sensor).not.toHaveProperty('deferrable');
  });

  it('is refused on sensor(), whose check the triggerer cannot run, pointing to defineTrigger and ctx.defer', () => {
    const error = inDag(() => sensor({ taskId: 'mine', deferrable: true }, () => true));
    expect(error.message).toMatch(/DAG "bad", task "mine": sensor\(\) cannot be deferrable/);
    expect(error.message).toMatch(/defineTrigger\(\).*ctx\.defer\(\)/);
  });

  it('is refused together with reschedule mode, and must be a boolean', () => {
    expect(inDag(() => s3KeySensor({ taskId: 's3', bucketKey: 's3://b/k', deferrable: true, mode: 'reschedule' })).message).toMatch(
      /deferrable and mode: "reschedule" exclude each other/,
    );
    expect(inDag(() => s3KeySensor({ taskId: 's3', bucketKey: 's3://b/k', deferrable: 'yes' as never })).message).toMatch(
      /deferrable must be true or false, got "yes"/,
    );
  });

  it('refuses what the triggerer cannot do: an S3 connection, an HTTP responseCheck, method or string body', () => {
    expect(inDag(() => s3KeySensor({ taskId: 's3', bucketKey: 's3://b/k', awsConnId: 'other', deferrable: true })).message).toMatch(
      /cannot use awsConnId: the triggerer reads S3 with its own role/,
    );
    expect(inDag(() => httpSensor({ taskId: 'h', endpoint: 'x', responseCheck: () => true, deferrable: true })).message).toMatch(
      /cannot have a responseCheck/,
    );
    expect(inDag(() => httpSensor({ taskId: 'h', endpoint: 'x', method: 'delete', deferrable: true })).message).toMatch(
      /sends GET, HEAD, POST or PUT, got "DELETE"/,
    );
    expect(inDag(() => httpSensor({ taskId: 'h', endpoint: 'x', method: 'POST', data: 'a=1', deferrable: true })).message).toMatch(
      /give data as an object/,
    );
    // Without deferrable, the same options stay valid.
    expect(() => dag({ dagId: 'fine' }, () => void httpSensor({ taskId: 'h', endpoint: 'x', responseCheck: () => true }))).not.toThrow();
  });
});
