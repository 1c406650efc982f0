import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../aws/dynamodb/index.ts';
import { DynamoDbPoolStore } from '../aws/dynamodb/pool-store.ts';
import { DynamoDbBackfillStore } from '../aws/dynamodb/backfill-store.ts';
import { DynamoDbUserStore } from '../aws/dynamodb/user-store.ts';
import { S3ObjectStore } from '../aws/s3/object-store.ts';
import { ConfigError } from '../core/errors.ts';
import { systemClock } from '../core/ports/clock.ts';
import { silentLogger } from '../core/ports/logger.ts';
import { DagVersionCache } from '../services/dag-version-cache.ts';
import { triggerDagRun } from '../services/scheduler/index.ts';
import { LOCAL_CREDENTIALS, startEmulators, type LocalEndpoints } from './emulators.ts';
import { LOCAL_RESOURCE_NAMES } from './local-stack.ts';
import { readRunningStandalone, type StandaloneState } from './standalone-state.ts';

export interface LocalState {
  metastore: DynamoDbMetastore;
  /** The REST API's users (simple auth manager), in the metastore table. */
  users: DynamoDbUserStore;
  /** Pools (Airflow's pools), in the metastore table. */
  pools: DynamoDbPoolStore;
  /** Backfills, in the metastore table. */
  backfills: DynamoDbBackfillStore;
  objectStore: S3ObjectStore;
  /** What `triggerDagRun` needs, bound to this state. */
  triggerDeps: Parameters<typeof triggerDagRun>[0];
  /** Whether a running `updraft standalone` serves this state (its scheduler will act on changes). */
  standaloneRunning: boolean;
  close(): Promise<void>;
}

/**
 * Opens local mode's state for a CLI command: through the running standalone's emulators when it runs,
 * otherwise by starting the emulators on the state folder for the length of the command (the same data
 * the next `updraft standalone` will find).
 */
export async function openLocalState(home: string, options: { startupWaitMs?: number; notice?: NodeJS.WritableStream } = {}): Promise<LocalState> {
  const running = await waitForStartedStandalone(home, options.startupWaitMs ?? 120_000, options.notice ?? process.stderr);
  if (running?.endpoints) return connect(running.endpoints, true, async () => {});
  const emulators = await startEmulators({ dynamoDbPath: join(home, 'dynamodb'), s3DataPath: join(home, 's3') });
  return connect(emulators.endpoints, false, () => emulators.stop());
}

async function connect(endpoints: LocalEndpoints, standaloneRunning: boolean, stop: () => Promise<void>): Promise<LocalState> {
  const clientOptions = {
    region: endpoints.region,
    dynamodbEndpoint: endpoints.dynamodb,
    s3Endpoint: endpoints.s3,
    credentials: { ...LOCAL_CREDENTIALS },
  };
  const dynamo = createDynamoDbClient(clientOptions);
  const s3 = createS3Client(clientOptions);
  try {
    await createMetastoreTable(dynamo, LOCAL_RESOURCE_NAMES.table);
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_RESOURCE_NAMES.bucket })).catch((error: unknown) => {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const metastore = new DynamoDbMetastore({ client: dynamo, tableName: LOCAL_RESOURCE_NAMES.table });
  return {
    metastore,
    users: new DynamoDbUserStore(dynamo, LOCAL_RESOURCE_NAMES.table),
    pools: new DynamoDbPoolStore(dynamo, LOCAL_RESOURCE_NAMES.table),
    backfills: new DynamoDbBackfillStore(dynamo, LOCAL_RESOURCE_NAMES.table),
    triggerDeps: { metastore, clock: systemClock, dagVersions: new DagVersionCache(metastore), logger: silentLogger },
    objectStore: new S3ObjectStore({ client: s3, bucket: LOCAL_RESOURCE_NAMES.bucket }),
    standaloneRunning,
    async close() {
      dynamo.destroy();
      s3.destroy();
      await stop();
    },
  };
}

/**
 * The running standalone once it has published its endpoints. One that is still starting is waited for:
 * starting emulators of our own on the same files meanwhile would open its DynamoDB database twice.
 */
async function waitForStartedStandalone(home: string, waitMs: number, notice: NodeJS.WritableStream): Promise<StandaloneState | null> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const running = readRunningStandalone(home);
    if (!running || running.endpoints) return running;
    if (Date.now() > deadline) {
      throw new ConfigError(
        `Updraft (pid ${running.pid}) has been starting for over ${Math.round(waitMs / 1000)} s and its emulators are not up yet. ` +
          'Look at its terminal for an error, or try again once it prints "Updraft is running locally."',
      );
    }
    if (!told) notice.write(`Updraft is starting locally (pid ${running.pid}); waiting for it…\n`);
    told = true;
    // The standalone publishes its endpoints by renaming a file into place: a short poll sees it promptly.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
