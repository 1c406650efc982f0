import { dag, externalTaskSensor, s3KeySensor } from 'updraft/sdk';

/** The DAG the deferrable sensor integration test runs, bundled with esbuild like a real DAG file. */
export default dag({ dagId: 'deferrable_sensor_test', params: { bucket: 'unset' } }, () => {
  s3KeySensor({
    taskId: 's3_wait',
    bucketKey: ['s3://{{ params.bucket }}/drops/{{ ds }}/a.csv', 's3://{{ params.bucket }}/drops/{{ ds }}/b.csv'],
    timeout: 3600,
    deferrable: true,
  });
  externalTaskSensor({
    taskId: 'ext_wait',
    externalDagId: 'upstream_dag',
    externalTaskId: 'load',
    failedStates: ['failed'],
    softFail: true,
    deferrable: true,
  });
});
