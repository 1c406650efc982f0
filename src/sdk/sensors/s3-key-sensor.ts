import type { TaskRef } from '../task-ref.ts';
import { describe } from '../task-options.ts';
import { addSensor } from './add-sensor.ts';
import type { SensorOptions } from './sensor-options.ts';

/**
 * Options of `s3KeySensor()`. `bucketKey` and `bucketName` are templates (e.g. `{{ ds }}`), rendered
 * before each try.
 *
 * @example
 * ```ts
 * const options: S3KeySensorOptions = { taskId: 'wait', bucketKey: 's3://landing/orders/{{ ds }}/*.csv', wildcardMatch: true };
 * ```
 */
export interface S3KeySensorOptions extends SensorOptions {
  /** The key, or several keys (all must exist); a full `s3://bucket/key` URL when `bucketName` is not given. */
  bucketKey: string | readonly string[];
  /** The bucket, when `bucketKey` is a plain key. */
  bucketName?: string;
  /** Treat `*`, `?` and `[...]` in the key as shell wildcards (Python's fnmatch), as Airflow does (default false). */
  wildcardMatch?: boolean;
  /**
   * A connection whose `extra` sets `region_name` and `endpoint_url`, and whose login and password, when
   * set, are the access key pair. Default: the worker's own role and region.
   */
  awsConnId?: string;
}

const S3_KEY_SENSOR_KEYS = ['bucketKey', 'bucketName', 'wildcardMatch', 'awsConnId'] as const;

/**
 * Adds a sensor that waits for one or more S3 objects (Airflow's `S3KeySensor`). With `wildcardMatch`,
 * a key is a pattern and any object matching it counts. The worker reads S3 with its own credentials
 * (its IAM role in AWS; the emulator locally), so give the worker role `s3:ListBucket` (and
 * `s3:GetObject` for exact keys) on the bucket. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, s3KeySensor } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'orders', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   s3KeySensor({
 *     taskId: 'wait_for_export',
 *     bucketKey: 's3://landing/orders/{{ ds }}/part-*.csv',
 *     wildcardMatch: true,
 *     mode: 'reschedule',
 *     pokeInterval: 300,
 *   });
 * });
 * ```
 */
export function s3KeySensor(options: S3KeySensorOptions): TaskRef<boolean> {
  return addSensor<boolean>('s3KeySensor', 's3_key', options, S3_KEY_SENSOR_KEYS, (fail) => {
    const keys = typeof options.bucketKey === 'string' ? [options.bucketKey] : options.bucketKey;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string' && key.trim() !== '')) {
      fail(`bucketKey must be a non-empty key or list of keys, e.g. "s3://bucket/path/file.csv", got ${describe(options.bucketKey)}.`);
    }
    if (options.bucketName !== undefined && (typeof options.bucketName !== 'string' || options.bucketName.trim() === '')) {
      fail(`bucketName must be a bucket name, got ${describe(options.bucketName)}.`);
    }
    if (options.bucketName === undefined && keys.some((key) => !key.startsWith('s3://') && !key.includes('{{'))) {
      fail('bucketKey must be a full s3://bucket/key URL when bucketName is not given.');
    }
    if (options.wildcardMatch !== undefined && typeof options.wildcardMatch !== 'boolean') {
      fail(`wildcardMatch must be true or false, got ${describe(options.wildcardMatch)}.`);
    }
    if (options.awsConnId !== undefined && (typeof options.awsConnId !== 'string' || options.awsConnId === '')) {
      fail(`awsConnId must be a connection id, got ${describe(options.awsConnId)}.`);
    }
    if (options.deferrable === true && options.awsConnId !== undefined) {
      fail(
        'a deferrable s3KeySensor cannot use awsConnId: the triggerer reads S3 with its own role. ' +
          'Grant the triggerer role access to the bucket and drop awsConnId, or do not defer.',
      );
    }
    return {
      templateFields: {
        bucketKey: typeof options.bucketKey === 'string' ? options.bucketKey : [...keys],
        ...(options.bucketName !== undefined ? { bucketName: options.bucketName } : {}),
        ...(options.wildcardMatch ? { wildcardMatch: true } : {}),
        ...(options.awsConnId !== undefined ? { awsConnId: options.awsConnId } : {}),
      },
    };
  });
}
