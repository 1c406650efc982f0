import { LOG_PREFIX } from '../../core/model/bucket-layout.ts';
import type { RunDagCallbackWorkload } from '../../core/model/workload.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { ExecutionApiClient } from '../../http/execution-api-client.ts';
import {
  isDag,
  snsDeliveryOf,
  type Dag,
  type DagRunCallback,
  type DagRunCallbackContext,
  type DagRunCallbackInfo,
} from '../../sdk/index.ts';
import type { BundleLoader } from './bundle-loader.ts';
import { CallbackTimeoutError } from './errors.ts';
import { TaskSecretAccess } from './secret-access.ts';
import { defaultSnsPublish, deliverSns, type SnsPublish } from './sns-publisher.ts';
import { DEFAULT_CALLBACK_TIMEOUT_MS } from './task-callbacks.ts';
import { describeError, TaskLog } from './task-log.ts';

export interface DagCallbackDeps {
  apiBaseUrl: string;
  logger: Logger;
  bundleLoader: Pick<BundleLoader, 'load'>;
  /** Where the callback's own log is kept (`dagCallbackLogKey`); absent: only the worker's log. */
  objectStore?: ObjectStore;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Time limit of each callback (default 30 s); never beyond `deadlineMs`. */
  callbackTimeoutMs?: number;
  /** Epoch ms by which the worker itself stops (a Lambda's timeout). */
  deadlineMs?: number;
  publishSns?: SnsPublish;
}

export interface DagCallbackOutcome {
  /** Callbacks that ran to the end. */
  succeeded: number;
  /** Callbacks that threw or ran out of time (each logged). */
  failed: number;
  /** Why none ran, when the bundle or the DAG could not be loaded. */
  skipped: string | null;
}

/** The Airflow name of each event's callback, as users know it from logs and docs. */
const AIRFLOW_NAMES: Record<RunDagCallbackWorkload['event'], string> = {
  success: 'DAG on_success_callback',
  failure: 'DAG on_failure_callback',
  deadline: 'deadline alert callback',
};

/**
 * `logs/dag_id=<d>/run_id=<r>/callbacks/<event>.log`, beside the run's task logs; a task's deadline
 * alert logs to `.../callbacks/deadline/task_id=<t>[/map_index=<i>].log`.
 */
export function dagCallbackLogKey(workload: Pick<RunDagCallbackWorkload, 'dagId' | 'runId' | 'event' | 'task'>): string {
  const base = `${LOG_PREFIX}dag_id=${workload.dagId}/run_id=${workload.runId}/callbacks/${workload.event}`;
  const { task } = workload;
  if (!task) return `${base}.log`;
  return `${base}/task_id=${task.taskId}${task.mapIndex >= 0 ? `/map_index=${task.mapIndex}` : ''}.log`;
}

/**
 * Runs a DAG's run callbacks from its bundle, on a worker (Airflow runs them in the DAG processor; here
 * the worker has the bundle and no metastore access). Each callback runs in order with a time limit;
 * whatever one throws is logged and the next still runs. Nothing here changes the run, and nothing
 * throws: a callback is delivered at least once, so in rare cases (a redelivered message) it runs twice.
 */
export async function runDagCallback(workload: RunDagCallbackWorkload, deps: DagCallbackDeps): Promise<DagCallbackOutcome> {
  const now = deps.now ?? (() => new Date());
  const { task } = workload;
  const attributes = {
    dag_id: workload.dagId,
    run_id: workload.runId,
    event: workload.event,
    ...(task ? { task_id: task.taskId, map_index: task.mapIndex } : {}),
  };
  let dag: Dag;
  try {
    dag = findDag(await deps.bundleLoader.load(workload.bundleKey), workload.dagId);
  } catch (error) {
    deps.logger.error(`Could not load the DAG to run its ${AIRFLOW_NAMES[workload.event]}s: ${describeError(error)}`, attributes);
    return { succeeded: 0, failed: 0, skipped: 'bundle' };
  }
  const callbacks = callbacksFor(dag, workload);
  if (callbacks.length === 0) {
    const owner = task ? `Task "${task.taskId}" of DAG "${dag.dagId}"` : `DAG "${dag.dagId}"`;
    deps.logger.warn(`${owner} of this version has no ${AIRFLOW_NAMES[workload.event]}; nothing to run`, attributes);
    return { succeeded: 0, failed: 0, skipped: 'none' };
  }

  const log = new TaskLog(now);
  const client = new ExecutionApiClient({ baseUrl: deps.apiBaseUrl, token: workload.token, fetch: deps.fetch });
  const secrets = new TaskSecretAccess(client, log.masker);
  const info: DagRunCallbackInfo = Object.freeze({
    event: workload.event,
    state: workload.run.state,
    reason: workload.reason,
    deadline: workload.deadlineAt ? new Date(workload.deadlineAt) : null,
  });
  const timeoutMs = Math.max(
    0,
    Math.min(deps.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS, deps.deadlineMs === undefined ? Infinity : deps.deadlineMs - Date.now()),
  );
  const airflowName = AIRFLOW_NAMES[workload.event];
  const of = task ? `task ${task.taskId}${task.mapIndex >= 0 ? `[${task.mapIndex}]` : ''} in run` : 'run';
  log.info(`Running ${callbacks.length} ${airflowName}${callbacks.length === 1 ? '' : 's'} of ${of} ${workload.runId} (${workload.reason}).`);
  let succeeded = 0;
  let failed = 0;
  for (const [index, callback] of callbacks.entries()) {
    const label = `${airflowName} ${index + 1} (${nameOf(callback)})`;
    try {
      await withTimeLimit(timeoutMs, async (signal) => {
        const ctx = contextOf(workload, secrets, log, signal);
        const sns = snsDeliveryOf(callback);
        if (sns) return deliverSns(sns, { ctx, info }, deps.publishSns ?? defaultSnsPublish());
        return typeof callback === 'function' ? callback(ctx, info) : callback.notifyRun(ctx, info);
      });
      succeeded += 1;
    } catch (error) {
      failed += 1;
      log.error(`The ${label} failed; the run's state is unchanged: ${describeError(error)}`);
    }
  }
  // The worker's log gets every line (CloudWatch); the object store keeps them beside the run's task logs.
  for (const line of log.text().split('\n').filter(Boolean)) {
    if (line.includes('] ERROR ')) deps.logger.error(line, attributes);
    else deps.logger.info(line, attributes);
  }
  if (deps.objectStore) {
    await log.save(deps.objectStore, dagCallbackLogKey(workload)).catch((error: unknown) => {
      deps.logger.error(`Could not write the callback log: ${describeError(error)}`, attributes);
    });
  }
  return { succeeded, failed, skipped: null };
}

function findDag(bundle: Record<string, unknown>, dagId: string): Dag {
  const dag = Object.values(bundle).find((value): value is Dag => isDag(value) && value.dagId === dagId);
  if (!dag) throw new Error(`The DAG bundle of this run does not export DAG "${dagId}"; the DAG file must export it.`);
  return dag;
}

/** A bundle built by an SDK without DAG-run callbacks (or task deadlines) has none. */
function callbacksFor(dag: Dag, workload: Pick<RunDagCallbackWorkload, 'event' | 'task'>): readonly DagRunCallback[] {
  const { event, task } = workload;
  if (task) return event === 'deadline' ? (dag.tasks.get(task.taskId)?.deadline?.callbacks ?? []) : [];
  const partial = dag as Partial<Pick<Dag, 'onSuccess' | 'onFailure' | 'deadline'>>;
  if (event === 'success') return partial.onSuccess ?? [];
  if (event === 'failure') return partial.onFailure ?? [];
  return partial.deadline?.callbacks ?? [];
}

function contextOf(workload: RunDagCallbackWorkload, secrets: TaskSecretAccess, log: TaskLog, signal: AbortSignal): DagRunCallbackContext {
  const { run } = workload;
  const logicalDate = new Date(run.logicalDate);
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return Object.freeze({
    dagId: workload.dagId,
    runId: workload.runId,
    runType: run.runType,
    logicalDate,
    ds: run.logicalDate.slice(0, 10),
    ts: logicalDate.toISOString(),
    dataIntervalStart: new Date(run.dataIntervalStart),
    dataIntervalEnd: new Date(run.dataIntervalEnd),
    queuedAt: new Date(run.queuedAt),
    startDate: date(run.startDate),
    endDate: date(run.endDate),
    conf: run.conf,
    variables: secrets.variables,
    connections: secrets.connections,
    log: { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) },
    signal,
    ...(workload.task ? { taskInstance: Object.freeze({ ...workload.task }) } : {}),
  });
}

function nameOf(callback: DagRunCallback): string {
  if (typeof callback === 'function') return callback.name ? `function ${callback.name}` : 'an anonymous function';
  return typeof callback.name === 'string' && callback.name !== '' ? `notifier ${callback.name}` : 'a notifier';
}

async function withTimeLimit(timeoutMs: number, work: (signal: AbortSignal) => Promise<void> | void): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallbackTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const running = Promise.resolve().then(() => work(controller.signal));
    // A callback that outlives its limit may still reject later; that must not crash the worker.
    running.catch(() => {});
    await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
