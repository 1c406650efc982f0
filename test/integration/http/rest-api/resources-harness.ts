import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { Endpoint } from '../../../../src/http/rest-api/endpoint.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { serializedDag } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { NOW, recordingLogger } from './rest-api-harness.ts';

/** A response whose JSON a test reads freely: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/**
 * The REST API serving some endpoint groups over DynamoDB Local (metastore and pools on one table) and
 * fauxqs S3, each harness with its own table and bucket. `deny` makes the auth manager refuse checks.
 */
export async function createResourcesHarness(prefix: string, endpoints: readonly Endpoint[], deny?: ConstructorParameters<typeof TestAuthManager>[0]) {
  const options = emulatorClientOptions();
  const dynamo = createDynamoDbClient(options);
  const s3 = createS3Client(options);
  const tableName = uniqueName(prefix);
  const bucket = uniqueName(prefix).toLowerCase();
  await Promise.all([createMetastoreTable(dynamo, tableName), s3.send(new CreateBucketCommand({ Bucket: bucket }))]);
  const metastore = new DynamoDbMetastore({ client: dynamo, tableName });
  const pools = new DynamoDbPoolStore(dynamo, tableName);
  const objectStore = new S3ObjectStore({ client: s3, bucket });
  const clock = new ManualClock(NOW);
  const logger = recordingLogger();
  const authManager = new TestAuthManager(deny);
  const app = createRestApiApp({ metastore, objectStore, pools, authManager, clock, logger, version: '0.0.0-test', endpoints });

  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> =>
    await app.request(path, {
      method,
      headers: { ...TestAuthManager.headers(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** Stores a parsed DAG (and its version) as the DAG processor would. */
  const seedDag = async (dagId: string, fileloc: string, tasks: SerializedTask[] = [], tags: string[] = []) => {
    const serialized = serializedDag(dagId, tasks, { fileloc, tags });
    const versionId = `v-${dagId}`;
    await metastore.saveParsedDag({
      dag: {
        dagId,
        fileloc,
        isActive: true,
        latestVersionId: versionId,
        description: null,
        tags,
        scheduleDescription: null,
        maxActiveRuns: 16,
        lastParsedAt: clock.now(),
      },
      version: { dagId, versionId, serialized, bundleKey: `bundles/${dagId}.js`, createdAt: clock.now() },
      pausedAtCreation: false,
      nextDagRunCreateAfter: null,
    });
    return versionId;
  };

  return {
    app,
    metastore,
    pools,
    objectStore,
    clock,
    logger,
    authManager,
    request,
    seedDag,
    close: () => {
      dynamo.destroy();
      s3.destroy();
    },
  };
}
