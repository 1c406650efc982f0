import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import type { Metastore } from '../../../../src/core/ports/metastore.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { createRestApiApp, type RestApiDeps } from '../../../../src/http/rest-api/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

/** The REST API app over the real DynamoDB adapter on DynamoDB Local, each harness with its own table. */

export const NOW = '2026-03-01T10:00:00.000Z';

export interface RecordingLogger extends Logger {
  errors: Array<{ message: string; attributes?: Record<string, unknown> }>;
}

export function recordingLogger(): RecordingLogger {
  const errors: RecordingLogger['errors'] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (message, attributes) => errors.push({ message, attributes }) };
}

/** What every app needs besides the metastore: the bucket, the pools, and a test auth manager. */
export async function restApiDepsFor(dynamo: ReturnType<typeof createDynamoDbClient>, tableName: string, metastore: Metastore) {
  const s3 = createS3Client(emulatorClientOptions());
  const bucket = uniqueName('rest-bucket');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    metastore,
    objectStore: new S3ObjectStore({ client: s3, bucket }),
    pools: new DynamoDbPoolStore(dynamo, tableName),
    authManager: new TestAuthManager(),
  };
}

export async function createRestApiHarness(prefix: string, options: Pick<RestApiDeps, 'healthThresholds'> = {}) {
  const dynamo = createDynamoDbClient(emulatorClientOptions());
  const tableName = uniqueName(prefix);
  await createMetastoreTable(dynamo, tableName);
  const metastore = new DynamoDbMetastore({ client: dynamo, tableName });
  const clock = new ManualClock(NOW);
  const logger = recordingLogger();
  const app = createRestApiApp({ ...(await restApiDepsFor(dynamo, tableName, metastore)), clock, logger, version: '9.8.7', ...options });
  return { app, metastore, clock, logger, tableName, close: () => dynamo.destroy() };
}

/** A port nothing listens on: found free, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A metastore whose DynamoDB endpoint refuses connections; one attempt, so the failure comes at once. */
export async function unreachableMetastore(): Promise<{ metastore: DynamoDbMetastore; close: () => void }> {
  const options = emulatorClientOptions();
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: options.region,
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      credentials: options.credentials,
      maxAttempts: 1,
    }),
  );
  return { metastore: new DynamoDbMetastore({ client, tableName: 'unreachable' }), close: () => client.destroy() };
}
