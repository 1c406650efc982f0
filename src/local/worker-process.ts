/**
 * One local worker process: the Lambda worker's handler fed by the Lambda SQS event-source emulation.
 * Started by WorkerPool; it receives no metastore endpoint.
 */
import { hostname } from 'node:os';
import { createS3Client, createSqsClient } from '../aws/clients.ts';
import { S3ObjectStore } from '../aws/s3/object-store.ts';
import { jsonLineLogger } from '../core/ports/logger.ts';
import { BundleLoader } from '../services/task-runner/bundle-loader.ts';
import { createWorkerHandler } from '../services/task-runner/worker-handler.ts';
import { SqsEventSource } from './sqs-event-source.ts';
import { WORKER_ENV } from './worker-pool.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`The local worker needs ${name}; it is started by \`updraft standalone\`, not by hand.\n`);
    process.exit(2);
  }
  return value;
}

const workerName = process.env[WORKER_ENV.workerName] ?? 'worker';
const region = required('AWS_REGION');
const credentials = { accessKeyId: required('AWS_ACCESS_KEY_ID'), secretAccessKey: required('AWS_SECRET_ACCESS_KEY') };
const logger = jsonLineLogger({ service: 'worker', worker: workerName });
const objectStore = new S3ObjectStore({
  client: createS3Client({ region, credentials, s3Endpoint: required(WORKER_ENV.s3Endpoint) }),
  bucket: required(WORKER_ENV.bucket),
});
const handler = createWorkerHandler({
  apiBaseUrl: required(WORKER_ENV.executionApiUrl),
  objectStore,
  workerId: `${hostname()}:${process.pid}:${workerName}`,
  logger,
  bundleLoader: new BundleLoader({ objectStore }),
});
const source = new SqsEventSource({
  client: createSqsClient({ region, credentials, sqsEndpoint: required(WORKER_ENV.sqsEndpoint) }),
  queueUrl: required(WORKER_ENV.queueUrl),
  queueArn: required(WORKER_ENV.queueArn),
  region,
  handler,
  batchSize: 10,
  concurrency: 2,
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
