import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TaskConnections } from '../../../sdk/index.ts';
import { SensorArgumentError, SensorUnavailableError } from './sensor-errors.ts';
import { matchesWildcard, wildcardPrefix } from '../../../core/s3-wildcard.ts';

export interface S3KeyPokeFields {
  bucketKey: string | string[];
  bucketName?: string;
  wildcardMatch?: boolean;
  awsConnId?: string;
}

/** A bucket and a key (or key pattern) to look for. */
export interface S3Target {
  bucket: string;
  key: string;
}

/** Airflow's rule: a full `s3://bucket/key` URL, or a plain key with `bucketName` (not both). */
export function s3TargetsOf(fields: S3KeyPokeFields): S3Target[] {
  const keys = typeof fields.bucketKey === 'string' ? [fields.bucketKey] : fields.bucketKey;
  return keys.map((key) => {
    if (key.startsWith('s3://')) {
      const rest = key.slice('s3://'.length);
      const slash = rest.indexOf('/');
      if (slash <= 0 || slash === rest.length - 1) {
        throw new SensorArgumentError(`bucketKey "${key}" must name a bucket and a key, as s3://bucket/path/to/key.`);
      }
      if (fields.bucketName) {
        throw new SensorArgumentError(`bucketKey "${key}" is a full s3:// URL, so bucketName must not be given too.`);
      }
      return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
    }
    if (!fields.bucketName) {
      throw new SensorArgumentError(`bucketKey "${key}" is a plain key; give bucketName, or write it as s3://bucket/${key}.`);
    }
    return { bucket: fields.bucketName, key };
  });
}

/**
 * One poke of an s3KeySensor: true when every key exists (with `wildcardMatch`, when at least one object
 * matches each pattern). The client is the worker's own unless `awsConnId` names a connection.
 */
export async function pokeS3Keys(
  fields: S3KeyPokeFields,
  deps: { s3?: S3Client; connections: TaskConnections; signal: AbortSignal },
): Promise<boolean> {
  return (await missingS3Target(fields, deps)) === null;
}

/** The first key (or pattern) nothing matches yet, in the order given; null when all are there. */
export async function missingS3Target(
  fields: S3KeyPokeFields,
  deps: { s3?: S3Client; connections: TaskConnections; signal: AbortSignal },
): Promise<S3Target | null> {
  const targets = s3TargetsOf(fields);
  const client = fields.awsConnId ? await clientFromConnection(fields.awsConnId, deps.connections) : deps.s3;
  if (!client) {
    throw new SensorUnavailableError(
      'This worker has no S3 client for s3KeySensor; pass `s3` in the task runner deps (the worker entries do), or set awsConnId.',
    );
  }
  const found = await Promise.all(
    targets.map((target) => (fields.wildcardMatch ? anyMatch(client, target, deps.signal) : exists(client, target, deps.signal))),
  );
  const missing = found.indexOf(false);
  return missing === -1 ? null : targets[missing]!;
}

async function exists(client: S3Client, target: S3Target, signal: AbortSignal): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }), { abortSignal: signal });
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
    throw error;
  }
}

async function anyMatch(client: S3Client, target: S3Target, signal: AbortSignal): Promise<boolean> {
  const prefix = wildcardPrefix(target.key);
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix, ContinuationToken: token }),
      { abortSignal: signal },
    );
    if ((page.Contents ?? []).some((object) => object.Key !== undefined && matchesWildcard(object.Key, target.key))) return true;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return false;
}

/** Airflow's aws connection: extra `region_name` and `endpoint_url`; login and password as an access key pair. */
async function clientFromConnection(connId: string, connections: TaskConnections): Promise<S3Client> {
  const connection = await connections.get(connId);
  const extra = connection.extra ?? {};
  const region = typeof extra.region_name === 'string' ? extra.region_name : undefined;
  const endpoint = typeof extra.endpoint_url === 'string' ? extra.endpoint_url : undefined;
  const credentials =
    connection.login && connection.password ? { accessKeyId: connection.login, secretAccessKey: connection.password } : undefined;
  return new S3Client({ region, endpoint, credentials, forcePathStyle: endpoint !== undefined });
}
