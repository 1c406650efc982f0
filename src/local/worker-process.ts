/**
 * One local worker process: the Lambda worker's handler fed by the Lambda SQS event-source emulation.
 * Started by WorkerPool. It receives no metastore endpoint, and the emulator credentials it needs for
 * the queue and the bucket only in `UPDRAFT_LOCAL_*` variables: they are read into the clients below
 * and deleted from process.env before any DAG bundle is imported, so task code, which runs in this
 * process, finds no credentials and no endpoint.
 */
import { hostname } from 'node:os';
import { createS3Client, createSqsClient } from '../aws/clients.ts';
import { S3ObjectStore } from '../aws/s3/object-store.ts';
import { jsonLineLogger } from '../core/ports/logger.ts';
import { BundleLoader } from '../services/task-runner/bundle-loader.ts';
import { createWorkerHandler } from '../services/task-runner/worker-handler.ts';
import { localTaskQueuePolling } from './local-event-routes.ts';
import { SqsEventSource } from './sqs-event-source.ts';
import { takeWorkerSettings } from './worker-pool.ts';

const taken = takeWorkerSettings(process.env);
if (!taken.ok) {
  process.stderr.write(
    `The local worker needs ${taken.missing.join(', ')}; it is started by \`updraft standalone\`, not by hand.\n`,
  );
  process.exit(2);
}
const settings = taken.settings;
const { region } = settings;
const credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
const logger = jsonLineLogger({ service: 'worker', worker: settings.workerName });
// The emulator's client: the DAG bundles, and s3KeySensor's checks (local mode's stand-in for a worker role).
const s3 = createS3Client({ region, credentials, s3Endpoint: settings.s3Endpoint });
const objectStore = new S3ObjectStore({ client: s3, bucket: settings.bucket });
const handler = createWorkerHandler({
  apiBaseUrl: settings.executionApiUrl,
  objectStore,
  workerId: `${hostname()}:${process.pid}:${settings.workerName}`,
  logger,
  bundleLoader: new BundleLoader({ objectStore }),
  s3,
});
// The worker function's event source mapping, as EVENT_ROUTES declares it.
const polling = localTaskQueuePolling();
const source = new SqsEventSource({
  client: createSqsClient({ region, credentials, sqsEndpoint: settings.sqsEndpoint }),
  queueUrl: settings.queueUrl,
  queueArn: settings.queueArn,
  region,
  handler,
  batchSize: polling.batchSize,
  concurrency: polling.pollers,
  waitTimeSeconds: 1,
  logger,
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await source.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// The pool owns this process: when the parent dies (even by SIGKILL) we are re-parented, and leave too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown();
}, 500).unref();

source.start();
