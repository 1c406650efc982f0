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
  bucket: 'UPDRAFT_BUCKET',
  queueUrl: 'UPDRAFT_LOCAL_QUEUE_URL',
  queueArn: 'UPDRAFT_LOCAL_QUEUE_ARN',
  sqsEndpoint: 'UPDRAFT_LOCAL_SQS_ENDPOINT',
  s3Endpoint: 'UPDRAFT_LOCAL_S3_ENDPOINT',
  region: 'UPDRAFT_LOCAL_REGION',
  accessKeyId: 'UPDRAFT_LOCAL_ACCESS_KEY_ID',
  secretAccessKey: 'UPDRAFT_LOCAL_SECRET_ACCESS_KEY',
  workerName: 'UPDRAFT_LOCAL_WORKER_NAME',
} as const;

/** Variables only the worker's own start-up may read; removed before any task runs. */
export const WORKER_ONLY_ENV_PREFIX = 'UPDRAFT_LOCAL_';

/**
 * AWS_* variables that stay visible to task code: settings, never credentials or endpoints. Lambda has
 * no instance metadata service, so neither does its local stand-in: a worker on an EC2 host (a CI
 * runner) must not hand the host's role to task code.
 */
const AWS_SETTINGS_FOR_TASKS = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/** Only what a process needs to run at all; nothing of the parent's credentials or endpoints. */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SystemRoot'];

/**
 * What every process that runs tasks starts from: the basics of the shell, the task connections and
 * variables (issue #3's environment secrets backend), and the AWS SDK settings tasks need. Nothing of
 * this process's own credentials.
 */
export function taskProcessBaseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_THROUGH) if (process.env[key] !== undefined) env[key] = process.env[key];
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('UPDRAFT_CONN_') || key.startsWith('UPDRAFT_VAR_')) env[key] = value;
  }
  return Object.assign(env, AWS_SETTINGS_FOR_TASKS);
}

/**
 * The worker process's environment. The emulator credentials, region and endpoints travel only in
 * `UPDRAFT_LOCAL_*` variables, which the worker reads once and deletes (see takeWorkerSettings), so
 * the standard AWS variables that the SDK's default chain reads are never set.
 */
export function workerProcessEnv(environment: WorkerProcessEnvironment, workerName: string): NodeJS.ProcessEnv {
  const env = taskProcessBaseEnv();
  Object.assign(env, {
    [WORKER_ENV.executionApiUrl]: environment.executionApiUrl,
    [WORKER_ENV.bucket]: environment.bucket,
    [WORKER_ENV.queueUrl]: environment.queueUrl,
    [WORKER_ENV.queueArn]: environment.queueArn,
    [WORKER_ENV.sqsEndpoint]: environment.sqsEndpoint,
    [WORKER_ENV.s3Endpoint]: environment.s3Endpoint,
    [WORKER_ENV.region]: environment.region,
    [WORKER_ENV.accessKeyId]: environment.accessKeyId,
    [WORKER_ENV.secretAccessKey]: environment.secretAccessKey,
    [WORKER_ENV.workerName]: workerName,
  });
  return env;
}

/** What the worker process reads from its environment at start-up. */
export interface WorkerSettings extends WorkerProcessEnvironment {
  workerName: string;
}

/**
 * Reads the worker's settings from `env` and then removes, from that same object, every
 * `UPDRAFT_LOCAL_*` variable and every AWS_* variable that is not a plain setting: task code runs in
 * this process and must find neither credentials nor an endpoint. Returns the names that are missing
 * instead of settings when the process was not started by WorkerPool.
 */
export function takeWorkerSettings(
  env: NodeJS.ProcessEnv,
): { ok: true; settings: WorkerSettings } | { ok: false; missing: string[] } {
  const settings = { workerName: 'worker' } as WorkerSettings;
  const missing: string[] = [];
  for (const [field, name] of Object.entries(WORKER_ENV) as [keyof WorkerSettings, string][]) {
    const value = env[name];
    if (value) settings[field] = value;
    else if (field !== 'workerName') missing.push(name);
  }
  scrubTaskEnvironment(env);
  return missing.length > 0 ? { ok: false, missing } : { ok: true, settings };
}

/** Deletes the worker-only and AWS credential/endpoint variables from `env` (in place). */
export function scrubTaskEnvironment(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(env)) {
    const awsSetting = Object.hasOwn(AWS_SETTINGS_FOR_TASKS, key);
    if (key.startsWith(WORKER_ONLY_ENV_PREFIX) || (key.startsWith('AWS_') && !awsSetting)) delete env[key];
  }
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
