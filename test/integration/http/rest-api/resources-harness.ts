import { DynamoDbPoolStore } from '../../../../src/aws/dynamodb/pool-store.ts';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { Endpoint } from '../../../../src/http/rest-api/endpoint.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import { createEmulatorStorage } from '../../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../../support/parsed-dags.ts';
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
  const storage = await createEmulatorStorage(prefix);
  const { metastore, objectStore } = storage;
  const pools = new DynamoDbPoolStore(storage.dynamo, storage.tableName);
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
  const seedDag = (dagId: string, fileloc: string, tasks: SerializedTask[] = [], tags: string[] = []) =>
    saveSerializedDag(metastore, serializedDag(dagId, tasks, { fileloc, tags }), clock.now());

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
    close: () => storage.close(),
  };
}
