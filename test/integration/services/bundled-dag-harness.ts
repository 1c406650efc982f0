import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TaskAttemptKey } from '../../../src/core/model/keys.ts';
import { newTaskInstance, type DagRunRecord } from '../../../src/core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../../src/core/model/serialized-dag.ts';
import { taskLogKey, type ExecuteTaskWorkload } from '../../../src/core/model/workload.ts';
import { systemClock } from '../../../src/core/ports/clock.ts';
import type { Metastore } from '../../../src/core/ports/metastore.ts';
import type { ObjectStore } from '../../../src/core/ports/object-store.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { createExecutionApiApp, serveExecutionApi, type ExecutionApiDeps, type ServedApi } from '../../../src/http/execution-api/index.ts';
import { isDag } from '../../../src/sdk/index.ts';
import { DagVersionCache } from '../../../src/services/dag-version-cache.ts';
import type { TaskTokens } from '../../../src/services/execution/task-tokens.ts';
import { BundleLoader } from '../../../src/services/task-runner/bundle-loader.ts';
import type { TaskRunnerDeps } from '../../../src/services/task-runner/run-task.ts';
import { uniqueName } from '../../support/aws.ts';
import { saveSerializedDag } from '../../support/parsed-dags.ts';

/**
 * What in-process runner tests share: a test DAG file bundled and stored as the DAG processor does, the
 * real Execution API served over HTTP, running runs seeded with their task instances, and the workloads
 * the scheduler would send.
 */

const SDK_ENTRY = fileURLToPath(new URL('../../../src/sdk/index.ts', import.meta.url));

export interface DagBundle {
  bundleKey: string;
  versionId: string;
  /** The runner's loader for the stored bundle (its own cache directory). */
  bundleLoader: BundleLoader;
  /** Every DAG the bundle exports, serialized and saved as version `versionId`. */
  dags: SerializedDag[];
  /** The first of them: the DAG of a one-DAG test file. */
  dag: SerializedDag;
}

export interface BundleDagFileOptions {
  versionId: string;
  /** When the DAG processor parsed the file. */
  now: Date;
  /** Inline source maps, for tests that read stack traces. */
  sourcemap?: boolean;
  /** Changes a serialized DAG before it is saved (e.g. a task its bundle does not define). */
  adjust?: (serialized: SerializedDag) => void;
}

/**
 * Bundles `source` as the DAG processor bundles DAG files (esbuild, `updraft/sdk` resolved to the SDK
 * source), stores the bundle, and saves the DAGs the runner's loader finds in it: the serialized DAG
 * and what the runner imports come from the same bundle.
 */
export async function bundleDagFile(
  storage: { metastore: Metastore; objectStore: ObjectStore },
  source: string,
  options: BundleDagFileOptions,
): Promise<DagBundle> {
  const { metastore, objectStore } = storage;
  const fileloc = basename(source);
  const name = basename(source, extname(source));
  const bundled = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    ...(options.sourcemap ? { sourcemap: 'inline' as const } : {}),
    write: false,
    alias: { 'updraft/sdk': SDK_ENTRY },
  });
  const bundleKey = `bundles/${uniqueName(name)}.mjs`;
  await objectStore.put(bundleKey, bundled.outputFiles[0]!.contents, 'text/javascript');
  const bundleLoader = new BundleLoader({ objectStore, cacheDir: await mkdtemp(join(tmpdir(), `${name}-bundles-`)) });
  const dags = Object.values(await bundleLoader.load(bundleKey))
    .filter(isDag)
    .map((dag) => serializeDag(dag, fileloc));
  if (dags.length === 0) throw new Error(`the test DAG bundle of ${fileloc} exports no DAG`);
  for (const serialized of dags) {
    options.adjust?.(serialized);
    await saveSerializedDag(metastore, serialized, options.now, { versionId: options.versionId, bundleKey });
  }
  return { bundleKey, versionId: options.versionId, bundleLoader, dags, dag: dags[0]! };
}

/**
 * The real Execution API on a free local port, on the system clock, logging nothing, with a fast path
 * that does nothing unless `options` say otherwise.
 */
export function serveTestExecutionApi(
  storage: { metastore: Metastore; objectStore: ObjectStore },
  tokens: TaskTokens,
  options: Partial<ExecutionApiDeps> = {},
): Promise<ServedApi> {
  const { metastore, objectStore } = storage;
  const app = createExecutionApiApp({
    metastore,
    objectStore,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    dagVersions: new DagVersionCache(metastore),
    onTaskFinished: async () => {},
    ...options,
  });
  return serveExecutionApi(app, { port: 0, host: '127.0.0.1' });
}

/** Stores `run` with an instance (state none) of each of `tasks`. */
export async function seedRunningRun(metastore: Metastore, run: DagRunRecord, tasks: readonly SerializedTask[]): Promise<DagRunRecord> {
  await metastore.createDagRun(run);
  await metastore.createTaskInstances(tasks.map((task) => newTaskInstance(run, task)));
  return run;
}

/** The workload the scheduler would send for the attempt, with a token valid for an hour. */
export function executeTaskWorkload(bundle: Pick<DagBundle, 'bundleKey' | 'versionId'>, tokens: TaskTokens, ti: TaskAttemptKey): ExecuteTaskWorkload {
  return {
    kind: 'ExecuteTask',
    ti,
    versionId: bundle.versionId,
    bundleKey: bundle.bundleKey,
    logKey: taskLogKey(ti),
    token: tokens.issue(ti, 3600),
    queuedAt: new Date().toISOString(),
  };
}

/** Queues the attempt (a new try, or the same try resuming) as the scheduler does; the workload it would send. */
export async function queueAttempt(
  metastore: Metastore,
  bundle: Pick<DagBundle, 'bundleKey' | 'versionId'>,
  tokens: TaskTokens,
  ti: TaskAttemptKey,
): Promise<ExecuteTaskWorkload> {
  await metastore.updateTaskInstance(ti, { state: 'queued', tryNumber: ti.tryNumber, queuedAt: new Date(), workerId: null });
  return executeTaskWorkload(bundle, tokens, ti);
}

/** The runner's dependencies against the served API and the bundle, as worker `worker-a`. */
export function testRunnerDeps(
  api: ServedApi,
  objectStore: ObjectStore,
  bundle: Pick<DagBundle, 'bundleLoader'>,
  overrides: Partial<TaskRunnerDeps> = {},
): TaskRunnerDeps {
  return { apiBaseUrl: api.url, objectStore, workerId: 'worker-a', logger: silentLogger, bundleLoader: bundle.bundleLoader, ...overrides };
}
