/**
 * Sensors: tasks that wait for a condition, poke by poke, in `poke` or `reschedule` mode, or (the
 * built-in ones, with `deferrable`) by handing the wait to the triggerer after one unmet poke.
 */
export { sensor } from './sensor.ts';
export { s3KeySensor, type S3KeySensorOptions } from './s3-key-sensor.ts';
export {
  externalTaskSensor,
  EXTERNAL_DAG_RUN_STATES,
  EXTERNAL_TASK_STATES,
  type ExternalTaskSensorOptions,
} from './external-task-sensor.ts';
export { timeDeltaSensor, dateTimeSensor, type TimeDeltaSensorOptions, type DateTimeSensorOptions } from './time-sensors.ts';
export { httpSensor, type HttpSensorOptions } from './http-sensor.ts';
export { DEFAULT_POKE_INTERVAL_SECONDS, DEFAULT_SENSOR_TIMEOUT_SECONDS, type SensorOptions } from './sensor-options.ts';
export type {
  HttpSensorResponse,
  PokeReturnValue,
  SensorFunctions,
  SensorKind,
  SensorMode,
  SensorPokeFunction,
  SensorSettings,
} from './sensor-types.ts';
