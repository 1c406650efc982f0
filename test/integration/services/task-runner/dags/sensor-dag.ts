import { dag, externalTaskSensor, s3KeySensor, sensor } from 'updraft/sdk';

/**
 * The DAG the sensor integration tests run, bundled with esbuild like a real DAG file. The custom
 * sensor reads its answer from a hook the test sets on globalThis.
 */
const hooks = () => (globalThis as { __updraftSensorTest?: { ready: boolean } }).__updraftSensorTest;

export default dag({ dagId: 'sensor_test', params: { bucket: 'unset' } }, () => {
  s3KeySensor({
    taskId: 's3_wait',
    bucketKey: 's3://{{ params.bucket }}/landing/{{ ds }}/part-*.csv',
    wildcardMatch: true,
    mode: 'reschedule',
    pokeInterval: 1,
  });
  externalTaskSensor({
    taskId: 'ext_wait',
    externalDagId: 'upstream_dag',
    externalTaskId: 'load',
    failedStates: ['failed'],
    mode: 'reschedule',
    pokeInterval: 1,
  });
  sensor({ taskId: 'custom_wait', mode: 'reschedule', pokeInterval: 1 }, () => (hooks()?.ready ? { done: true, xcomValue: 'ready' } : false));
});
