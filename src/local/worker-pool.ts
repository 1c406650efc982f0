import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/ports/logger.ts';

/**
 * What a local worker process is given: the queue to poll, the object store for bundles and logs, and
 * the Execution API. Deliberately NOT the DynamoDB endpoint: as in AWS, where the worker role has no
 * DynamoDB permission, task code cannot reach the metastore.
 */
export interface WorkerProcessEnvironment {
  executionApiUrl: string;
  queueUrl: string;
  queueArn: string;
  bucket: string;
  sqsEndpoint: string;
  s3Endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export const WORKER_ENV = {
  executionApiUrl: 'UPDRAFT_EXECUTION_API_URL',
  queueUrl: 'UPDRAFT_LOCAL_QUEUE_URL',
  queueArn: 'UPDRAFT_LOCAL_QUEUE_ARN',
  bucket: 'UPDRAFT_BUCKET',
  sqsEndpoint: 'UPDRAFT_LOCAL_SQS_ENDPOINT',
  s3Endpoint: 'UPDRAFT_LOCAL_S3_ENDPOINT',
  workerName: 'UPDRAFT_LOCAL_WORKER_NAME',
} as const;

/** Only what a process needs to run at all; nothing of the parent's credentials or endpoints. */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SystemRoot'];

export function workerProcessEnv(environment: WorkerProcessEnvironment, workerName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_THROUGH) if (process.env[key] !== undefined) env[key] = process.env[key];
  for (const [key, value] of Object.entries(process.env)) {
    // Connections and variables are meant for tasks (issue #3's environment secrets backend).
    if (key.startsWith('UPDRAFT_CONN_') || key.startsWith('UPDRAFT_VAR_')) env[key] = value;
  }
  Object.assign(env, {
    [WORKER_ENV.executionApiUrl]: environment.executionApiUrl,
    [WORKER_ENV.queueUrl]: environment.queueUrl,
    [WORKER_ENV.queueArn]: environment.queueArn,
    [WORKER_ENV.bucket]: environment.bucket,
    [WORKER_ENV.sqsEndpoint]: environment.sqsEndpoint,
    [WORKER_ENV.s3Endpoint]: environment.s3Endpoint,
    [WORKER_ENV.workerName]: workerName,
    AWS_REGION: environment.region,
    AWS_ACCESS_KEY_ID: environment.accessKeyId,
    AWS_SECRET_ACCESS_KEY: environment.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return env;
}

/**
 * Local stand-ins for warm Lambda worker containers: long-lived child processes, each polling the task
 * queue through the same event-source emulation and handler as the worker function. A worker that dies
 * is replaced, as Lambda replaces a crashed container.
 */
export class WorkerPool {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly options: {
      size: number;
      environment: WorkerProcessEnvironment;
      logger: Logger;
      /** Where each worker's output goes; default: this process's stderr. */
      output?: NodeJS.WritableStream;
    },
  ) {}

  start(): void {
    for (let index = 1; index <= this.options.size; index += 1) this.spawnWorker(`worker-${index}`);
  }

  /** The worker processes by name (tests kill one to prove a dead worker's task is retried). */
  get processes(): ReadonlyMap<string, ChildProcess> {
    return this.children;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    this.children.clear();
  }

  private spawnWorker(name: string): void {
    const entry = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: workerProcessEnv(this.options.environment, name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = this.options.output ?? process.stderr;
    child.stdout?.pipe(output, { end: false });
    child.stderr?.pipe(output, { end: false });
    this.children.set(name, child);
    child.once('exit', (code, signal) => {
      if (this.children.get(name) === child) this.children.delete(name);
      if (this.stopping) return;
      this.options.logger.warn('A local worker exited; starting a new one', { worker: name, code, signal });
      this.spawnWorker(name);
    });
  }
}
