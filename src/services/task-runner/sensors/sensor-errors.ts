import { UpdraftError } from '../../../core/errors.ts';

/**
 * The sensor waited longer than its timeout (Airflow's AirflowSensorTimeout). Not retried: a retry would
 * start the wait over, which the timeout is meant to prevent. With `softFail` the task is skipped instead.
 */
export class SensorTimeoutError extends UpdraftError {
  constructor(elapsedSeconds: number, timeoutSeconds: number) {
    super(
      'sensor_timeout',
      `Sensor has timed out; run duration of ${Math.round(elapsedSeconds)} seconds exceeds the specified timeout of ${timeoutSeconds}. ` +
        'Raise the sensor\'s timeout if the condition takes longer to be met, or set softFail to skip instead of failing.',
    );
  }
}

/** The other DAG's task or run reached one of the sensor's `failedStates`. Retries apply, as in Airflow. */
export class ExternalTaskFailedError extends UpdraftError {
  constructor(message: string) {
    super('external_task_failed', message);
  }
}

/** An HTTP sensor got an error status other than 404 (which means "not yet"). */
export class HttpSensorError extends UpdraftError {
  readonly status: number;

  constructor(status: number, url: string, body: string) {
    super(
      'http_sensor_failed',
      `The HTTP sensor's request to ${url} answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}. ` +
        'Check the endpoint and the connection (host, schema, port, login); only 404 counts as "not yet".',
    );
    this.status = status;
  }
}

/** A sensor's arguments, as rendered, cannot be used (a bad date, a key without a bucket...). */
export class SensorArgumentError extends UpdraftError {
  constructor(message: string) {
    super('sensor_argument', message);
  }
}

/** The worker was built without what this sensor needs (an S3 client, the Execution API). */
export class SensorUnavailableError extends UpdraftError {
  constructor(message: string) {
    super('sensor_unavailable', message);
  }
}
