import { hostname } from 'node:os';
import { z, ZodError } from 'zod';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients.ts';
import { S3ObjectStore } from '../../aws/s3/object-store.ts';
import { parseWorkloadMessage } from '../../aws/sqs/workload-message.ts';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';
import { ConfigError, UpdraftError, ValidationError } from '../../core/errors.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';
import { jsonLineLogger, withLogAttributes, type Logger } from '../../core/ports/logger.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { BundleLoader } from './bundle-loader.ts';
import type { PythonRuntimeOptions } from './external-task.ts';
import { logKeys, runTask, type TaskRunnerDeps, type TaskRunOutcome } from './run-task.ts';
import { describeError } from './task-log.ts';

/**
 * The task runner in a container (the fargate executor's ECS task, or its local stand-in, a child
 * process). One process runs one attempt: the executor overrides the command and puts the workload in
 * the environment. It runs the same `runTask` as the Lambda worker, and its exit code is what ECS
 * reports to the executor.
 */

/**
 * The container's environment. `UPDRAFT_LOCAL_*` are set only by the local runtime (same names as the
 * local Lambda worker's): the emulator endpoint and credentials for the bucket. They are deleted from
 * the environment once read, before task code runs in this process.
 */
export const containerEnvironmentSchema = z
  .object({
    /** The ExecuteTaskWorkload as JSON: the same body the lambda executor puts on the queue. */
    UPDRAFT_WORKLOAD: z.string().min(1),
    UPDRAFT_EXECUTION_API_URL: z.url(),
    UPDRAFT_BUCKET: z.string().min(1),
    UPDRAFT_LOCAL_S3_ENDPOINT: z.url().optional(),
    UPDRAFT_LOCAL_REGION: z.string().min(1).optional(),
    UPDRAFT_LOCAL_ACCESS_KEY_ID: z.string().min(1).optional(),
    UPDRAFT_LOCAL_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    UPDRAFT_LOCAL_WORKER_NAME: z.string().min(1).optional(),
  })
  .strict();

/** What the fargate executor must set on every ECS task (the task definition holds the last two). */
export const CONTAINER_REQUIRED_ENV = ['UPDRAFT_WORKLOAD', 'UPDRAFT_EXECUTION_API_URL', 'UPDRAFT_BUCKET'] as const;

const LOCAL_PREFIX = 'UPDRAFT_LOCAL_';
/** Environment secrets (issue #3's backend) may be passed through to tasks; they are not configuration. */
const TASK_SECRET_PREFIXES = ['UPDRAFT_CONN_', 'UPDRAFT_VAR_'];

export interface ContainerConfig {
  workload: ExecuteTaskWorkload;
  executionApiUrl: string;
  bucket: string;
  /** Only in local mode: where the emulated S3 is and the credentials for it. */
  localS3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string } | null;
  localWorkerName: string | null;
}

/** Validates the container's environment; throws ConfigError naming every problem. */
export function loadContainerConfig(env: Record<string, string | undefined>): ContainerConfig {
  const relevant = Object.fromEntries(Object.entries(env).filter(([key]) => !TASK_SECRET_PREFIXES.some((prefix) => key.startsWith(prefix))));
  const parsed = parseUpdraftEnvironment(containerEnvironmentSchema, relevant, 'task container');
  const local = [parsed.UPDRAFT_LOCAL_S3_ENDPOINT, parsed.UPDRAFT_LOCAL_REGION, parsed.UPDRAFT_LOCAL_ACCESS_KEY_ID, parsed.UPDRAFT_LOCAL_SECRET_ACCESS_KEY];
  const given = local.filter((value) => value !== undefined).length;
  if (given !== 0 && given !== local.length) {
    throw new ConfigError(
      'The task container configuration is not valid: UPDRAFT_LOCAL_S3_ENDPOINT, UPDRAFT_LOCAL_REGION, UPDRAFT_LOCAL_ACCESS_KEY_ID and ' +
        'UPDRAFT_LOCAL_SECRET_ACCESS_KEY go together (the local runtime sets all four); set all of them or none.',
    );
  }
  return {
    workload: parseContainerWorkload(parsed.UPDRAFT_WORKLOAD),
    executionApiUrl: parsed.UPDRAFT_EXECUTION_API_URL,
    bucket: parsed.UPDRAFT_BUCKET,
    localS3:
      given === 0
        ? null
        : {
            endpoint: parsed.UPDRAFT_LOCAL_S3_ENDPOINT!,
            region: parsed.UPDRAFT_LOCAL_REGION!,
            accessKeyId: parsed.UPDRAFT_LOCAL_ACCESS_KEY_ID!,
            secretAccessKey: parsed.UPDRAFT_LOCAL_SECRET_ACCESS_KEY!,
          },
    localWorkerName: parsed.UPDRAFT_LOCAL_WORKER_NAME ?? null,
  };
}

/** The SQS parser's checks, with a message that speaks of the container's variable, not a queue message. */
function parseContainerWorkload(json: string): ExecuteTaskWorkload {
  try {
    return parseWorkloadMessage(json);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const cause = error.cause;
    const detail =
      cause instanceof ZodError
        ? `${error.field ?? '(workload)'}: ${cause.issues[0]?.message ?? 'invalid'}`
        : `not JSON: ${cause instanceof Error ? cause.message : String(cause)}`;
    throw new ConfigError(
      `The task container configuration is not valid: UPDRAFT_WORKLOAD is not a task workload (${detail}). The fargate executor ` +
        'sets it to the workload JSON; check that the scheduler and the container image run the same Updraft version.',
      { cause: error },
    );
  }
}

/** ECS sent SIGTERM (StopTask on timeout or clear, a Spot interruption, a deployment): the attempt is cut short. */
export class ContainerStoppedError extends UpdraftError {
  constructor() {
    super(
      'container_stopped',
      'The container running this task was told to stop (SIGTERM from ECS: the task was stopped, or its Fargate Spot capacity ' +
        'was reclaimed), so the task was stopped. It is retried if it has retries left.',
    );
  }
}

/** Where SIGTERM arrives: the process, or an EventEmitter in tests. */
export interface SignalSource {
  once(event: 'SIGTERM', listener: () => void): unknown;
  removeListener(event: 'SIGTERM', listener: () => void): unknown;
}

export interface ContainerRunnerDeps {
  /** Default: JSON lines on stderr. */
  logger?: Logger;
  /** Default: S3 (the local emulator when the `UPDRAFT_LOCAL_*` variables are set). */
  objectStore?: ObjectStore;
  bundleLoader?: Pick<BundleLoader, 'load'>;
  fetch?: typeof fetch;
  /** Default: `ecs:<task ARN>` from the ECS task metadata endpoint, else `container:<host>:<pid>`. */
  workerId?: string;
  python?: PythonRuntimeOptions;
  /** Default: this process. */
  signals?: SignalSource;
  /** The runner; injectable so exit codes can be tested without an API. */
  runTask?: typeof runTask;
}

/**
 * Runs the attempt the environment describes and returns the process's exit code:
 * 0 when the attempt was handled, whatever the task's state (the runner reported it through the API,
 * or the API already owned it); 1 when it could not be started or its end could not be reported, so
 * ECS shows a failed container and the executor treats the attempt as failed.
 *
 * `env` is normally process.env: the `UPDRAFT_LOCAL_*` variables are deleted from it once read.
 */
export async function runContainerWorkload(env: Record<string, string | undefined>, deps: ContainerRunnerDeps = {}): Promise<number> {
  const logger = deps.logger ?? jsonLineLogger({ service: 'container-worker' });
  let config: ContainerConfig;
  try {
    config = loadContainerConfig(env);
  } catch (error) {
    logger.error(error instanceof UpdraftError ? error.message : describeError(error), { code: (error as UpdraftError).code ?? null });
    return 1;
  } finally {
    for (const key of Object.keys(env)) if (key.startsWith(LOCAL_PREFIX)) delete env[key];
  }
  const keys = logKeys(config.workload.ti);
  const objectStore = deps.objectStore ?? defaultObjectStore(config);
  const workerId = deps.workerId ?? (await containerWorkerId(env, config.localWorkerName, deps.fetch ?? fetch));

  const stop = new AbortController();
  const onTerm = () => {
    logger.warn('SIGTERM received; stopping the task and reporting the attempt', keys);
    stop.abort(new ContainerStoppedError());
  };
  const signals = deps.signals ?? process;
  signals.once('SIGTERM', onTerm);
  // `stopSignal` is the runner's way to be stopped from outside, as at its deadline (see docs/container-runner.md).
  const runnerDeps: TaskRunnerDeps = {
    apiBaseUrl: config.executionApiUrl,
    objectStore,
    workerId,
    logger: withLogAttributes(logger, keys),
    bundleLoader: deps.bundleLoader ?? new BundleLoader({ objectStore }),
    fetch: deps.fetch,
    python: deps.python,
    stopSignal: stop.signal,
    s3: defaultS3Client(config),
  };
  let outcome: TaskRunOutcome;
  try {
    outcome = await (deps.runTask ?? runTask)(config.workload, runnerDeps);
  } catch (error) {
    logger.error('The attempt could not be started; nothing ran. The executor will see exit code 1.', { ...keys, error: describeError(error) });
    return 1;
  } finally {
    signals.removeListener('SIGTERM', onTerm);
  }
  const code = exitCodeOf(outcome);
  const detail = outcome.kind === 'finished' ? { state: outcome.state } : { reason: outcome.reason };
  const attributes = { ...keys, outcome: outcome.kind, ...detail, exit_code: code };
  if (code === 0) logger.info('Container attempt ended', attributes);
  else logger.error('Container attempt ended, but its end could not be reported', attributes);
  return code;
}

/**
 * Exit 1 only where the API may not know how the attempt ended: its end could not be reported. An
 * attempt the API refused to start, or took back while it ran, is the scheduler's already.
 */
export function exitCodeOf(outcome: TaskRunOutcome): 0 | 1 {
  return outcome.kind === 'interrupted' && outcome.reason === 'finish_failed' ? 1 : 0;
}

function defaultObjectStore(config: ContainerConfig): ObjectStore {
  return new S3ObjectStore({ client: defaultS3Client(config), bucket: config.bucket });
}

/** The task role's client (the emulator's in local mode): bundles and s3KeySensor's checks. */
function defaultS3Client(config: ContainerConfig): S3Client {
  const local = config.localS3;
  return local
    ? createS3Client({
        region: local.region,
        s3Endpoint: local.endpoint,
        credentials: { accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey },
      })
    : createS3Client();
}

/** The ECS task ARN makes a worker id an operator can look up; the metadata endpoint answers in-task only. */
async function containerWorkerId(env: Record<string, string | undefined>, localName: string | null, fetchFn: typeof fetch): Promise<string> {
  const metadata = env.ECS_CONTAINER_METADATA_URI_V4;
  if (metadata) {
    try {
      const response = await fetchFn(`${metadata}/task`, { signal: AbortSignal.timeout(2_000) });
      const arn = ((await response.json()) as { TaskARN?: unknown }).TaskARN;
      if (typeof arn === 'string' && arn !== '') return `ecs:${arn}`;
    } catch {
      // Without metadata the host name still identifies this container.
    }
  }
  return `container:${hostname()}:${process.pid}${localName ? `:${localName}` : ''}`;
}

