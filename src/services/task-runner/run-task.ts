import { formatTaskInstanceKey, type TaskAttemptKey } from '../../core/model/keys.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import {
  ExecutionApiClient,
  ExecutionConflictError,
  type FinishTaskRequest,
  type StartTaskResponse,
} from '../../http/execution-api-client.ts';
import { deferralOf, rescheduleDateOf, taskSignalOf, type TaskCallbackInfo, type TaskDefinition } from '../../sdk/index.ts';
import { deferredFinish, describeDeferral } from './deferral.ts';
import { attemptInfoFrom, type AttemptInfo } from './attempt-info.ts';
import type { BundleLoader } from './bundle-loader.ts';
import { ExecutionTimeoutError, TaskNotFoundError, UnsupportedOperatorError, WorkerDeadlineError } from './errors.ts';
import { executeTask, taskContext } from './execute-task.ts';
import { runExternalTask, type PythonRuntimeOptions } from './external-task.ts';
import { findDagTask } from './find-task.ts';
import { sendSkips } from './operators/skipping-operators.ts';
import type { Dag } from '../../sdk/index.ts';
import { startHeartbeat } from './heartbeat.ts';
import { toJsonValue } from './json-value.ts';
import { describeError, TaskLog } from './task-log.ts';
import { sameMappedGroupTaskIds, XComAccess } from './xcom-access.ts';
import { checkMappedReturnValue, mappedOverKeys } from './mapped-return-check.ts';
import { OutletEvents } from './outlet-events.ts';
import { TaskSecretAccess } from './secret-access.ts';
import { callbackEventFor, callbacksOf, DEFAULT_CALLBACK_TIMEOUT_MS, runTaskCallbacks } from './task-callbacks.ts';

import type { S3Client } from '@aws-sdk/client-s3';
import { SensorTimeoutError } from './sensors/sensor-errors.ts';

export interface TaskRunnerDeps {
  /** The worker's own S3 client (its role's credentials), for s3KeySensor; without it that sensor fails. */
  s3?: S3Client;
  apiBaseUrl: string;
  objectStore: ObjectStore;
  /** Identifies this worker to the API; a repeated start by the same worker is answered as a success. */
  workerId: string;
  logger: Logger;
  bundleLoader: Pick<BundleLoader, 'load'>;
  fetch?: typeof fetch;
  now?: () => Date;
  /**
   * Epoch ms by which the attempt must have ended, because the worker itself will be stopped then (a
   * Lambda invocation's timeout). The task is aborted at that moment and fails retryably, instead of
   * dying silently and waiting for the scheduler to notice the missing heartbeats.
   */
  deadlineMs?: number;
  /** Where `python` tasks find their interpreter and client (defaults fit a repository checkout). */
  python?: PythonRuntimeOptions;
  /**
   * Aborted when the worker itself is told to stop (SIGTERM in a container). The task is stopped at once
   * and the attempt fails retryably with the signal's reason, as at `deadlineMs`.
   */
  stopSignal?: AbortSignal;
  /** Time limit of each task callback (default 30 s); never beyond `deadlineMs`. */
  callbackTimeoutMs?: number;
}

export type TaskRunOutcome =
  | { kind: 'finished'; state: FinishTaskRequest['state'] }
  /** The start gate refused (duplicate delivery, or the attempt is no longer queued): nothing ran. */
  | { kind: 'not_started'; reason: string }
  /**
   * The attempt ran but its end could not be reported: the API said it is no longer this worker's
   * (cleared, failed by timeout, taken over), or the finish call failed. The scheduler owns it now.
   */
  | { kind: 'interrupted'; reason: string };

/** Attempts this process is running: a duplicate delivered to the same worker must not run it twice. */
const runningHere = new Set<string>();

/**
 * Runs one attempt. It throws only when the start call could not be made (the API unreachable, 5xx,
 * a refused token): then nothing ran and the caller decides about redelivery. After a successful start
 * every failure ends the attempt through the API instead.
 */
export async function runTask(workload: ExecuteTaskWorkload, deps: TaskRunnerDeps): Promise<TaskRunOutcome> {
  const ti = workload.ti;
  const attemptId = `${formatTaskInstanceKey(ti)}#${ti.tryNumber}`;
  if (runningHere.has(attemptId)) {
    deps.logger.info('Attempt is already running in this worker; ignoring the duplicate delivery', logKeys(ti));
    return { kind: 'not_started', reason: 'already_running_here' };
  }
  runningHere.add(attemptId);
  try {
    return await runStartedAttempt(workload, deps);
  } finally {
    runningHere.delete(attemptId);
  }
}

async function runStartedAttempt(workload: ExecuteTaskWorkload, deps: TaskRunnerDeps): Promise<TaskRunOutcome> {
  const now = deps.now ?? (() => new Date());
  const ti = workload.ti;
  // The task is looked up once, before the gate: a task in another language starts its attempt itself,
  // from its own process. A bundle that cannot be read is reported through the API after the start.
  const lookup: { task: TaskDefinition; dag?: Dag } | { error: unknown } = await deps.bundleLoader
    .load(workload.bundleKey)
    .then((module) => findDagTask(module, ti))
    .catch((error: unknown) => ({ error }));
  if ('task' in lookup && lookup.task.operator === 'python') {
    return runExternalTask(workload, lookup.task, deps, mappedOverKeys(lookup.dag, lookup.task));
  }
  const client = new ExecutionApiClient({ baseUrl: deps.apiBaseUrl, token: workload.token, fetch: deps.fetch });
  let started: StartTaskResponse;
  try {
    started = await client.start(ti, {
      workerId: deps.workerId,
      pid: process.pid,
      startDate: now().toISOString(),
      ...(workload.rescheduleDate ? { rescheduleDate: workload.rescheduleDate } : {}),
    });
  } catch (error) {
    if (error instanceof ExecutionConflictError) {
      const reason = error.reason ?? 'conflict';
      deps.logger.info('The API did not let this attempt start; nothing ran', { ...logKeys(ti), reason, current_state: error.currentState });
      return { kind: 'not_started', reason };
    }
    throw error;
  }

  const info = attemptInfoFrom(ti, started);
  const log = new TaskLog(now);
  log.info(`Starting attempt ${ti.tryNumber} of ${info.maxTries} of ${formatTaskInstanceKey(ti)} on worker ${deps.workerId}`);
  const controller = new AbortController();
  let lost: ExecutionConflictError | null = null;
  const heartbeat = startHeartbeat({
    client,
    ti,
    workerId: deps.workerId,
    intervalSeconds: started.heartbeatIntervalSeconds,
    logger: deps.logger,
    onLost: (error) => {
      lost = error;
      log.warn(`The API says this attempt is no longer running here (state ${error.currentState ?? 'unknown'}); stopping the task.`);
      controller.abort(error);
    },
  });
  let timeout: NodeJS.Timeout | undefined;
  const deadline =
    deps.deadlineMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(new WorkerDeadlineError()), Math.max(0, deps.deadlineMs - Date.now()));
  const onStop = () => controller.abort(deps.stopSignal?.reason);
  if (deps.stopSignal?.aborted) onStop();
  else deps.stopSignal?.addEventListener('abort', onStop, { once: true });
  const mappedOver = 'task' in lookup ? mappedOverKeys(lookup.dag, lookup.task) : new Map<string, string>();
  const xcoms = new XComAccess(client, ti, started.upstreamXComs ?? {}, {
    mappedOver,
    sameMappedGroup: 'task' in lookup && ti.mapIndex >= 0 ? sameMappedGroupTaskIds(lookup.dag, lookup.task) : undefined,
  });
  const secrets = new TaskSecretAccess(client, log.masker);
  const outletEvents = new OutletEvents(ti.taskId, ('task' in lookup ? lookup.task.outlets : undefined) ?? []);
  const callbackTimeoutMs = () =>
    Math.max(0, Math.min(deps.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS, deps.deadlineMs === undefined ? Infinity : deps.deadlineMs - Date.now()));
  const runCallbacks = (task: TaskDefinition, event: Parameters<typeof callbacksOf>[1], state: TaskCallbackInfo['state'], error: string | null) =>
    runTaskCallbacks(callbacksOf(task, event), { event, state, error, maxTries: info.maxTries }, {
      log,
      timeoutMs: callbackTimeoutMs(),
      contextFor: (signal) => taskContext(info, xcoms, secrets, log, signal, outletEvents),
    });
  let finish: Omit<FinishTaskRequest, 'workerId' | 'endDate'>;
  try {
    if ('error' in lookup) throw lookup.error;
    const { task, dag } = lookup;
    // Before the execution timeout starts: the callback has its own limit and is not the task's work.
    await runCallbacks(task, 'execute', 'running', null);
    if (task.executionTimeoutSeconds !== null && task.executionTimeoutSeconds > 0) {
      const seconds = task.executionTimeoutSeconds;
      timeout = setTimeout(() => controller.abort(new ExecutionTimeoutError(seconds)), seconds * 1000);
    }
    const result = await executeTask({
      task,
      outletEvents,
      info,
      xcoms,
      secrets,
      log,
      signal: controller.signal,
      dag,
      now,
      sensorRuntime: {
        now,
        firstPokeDate: info.firstRescheduleDate ?? null,
        deadlineMs: deps.deadlineMs,
        s3: deps.s3,
        readDagRunStates: (dagId, logicalDate, taskIds) => client.getDagRunStates(dagId, logicalDate, taskIds),
      },
    });
    if (result.kind === 'reschedule') {
      log.info(`Rescheduling sensor: it pokes again at ${result.rescheduleDate.toISOString()}.`);
      finish = {
        state: 'up_for_reschedule',
        rescheduleDate: result.rescheduleDate.toISOString(),
        firstRescheduleDate: result.firstRescheduleDate.toISOString(),
      };
    } else if (result.kind === 'skipped') {
      log.info(result.message);
      finish = { state: 'skipped' };
    } else {
      // Before any skip is sent: a list a mapped task cannot map over fails this attempt instead.
      checkMappedReturnValue(task, mappedOver, result.returnValue);
      // A branching operator's skips are recorded before its success, so the fast path cascades them.
      if (result.skipDownstream) await sendSkips(client, ti, result.skipDownstream, log);
      finish = { state: 'success' };
      // Airflow pushes no XCom for a None result; a missing return_value reads as null downstream.
      if (task.doXcomPush && result.returnValue !== undefined && result.returnValue !== null) {
        finish.returnValue = toJsonValue(result.returnValue, `The return value of task "${ti.taskId}"`);
      }
      // One asset event per outlet, sent with the success so both are recorded or neither.
      const assetEvents = outletEvents.toRequest();
      if (assetEvents.length > 0) finish.assetEvents = assetEvents;
    }
  } catch (error) {
    finish = failureOf(error, log, { now: now(), info });
  } finally {
    heartbeat.stop();
    if (timeout) clearTimeout(timeout);
    if (deadline) clearTimeout(deadline);
    deps.stopSignal?.removeEventListener('abort', onStop);
  }

  let outcome: TaskRunOutcome;
  if (lost !== null) {
    outcome = { kind: 'interrupted', reason: (lost as ExecutionConflictError).reason ?? 'not_running' };
  } else {
    outcome = await report(client, ti, { ...finish, workerId: deps.workerId, endDate: now().toISOString() }, log, deps.logger);
  }
  // Only once the state is recorded, as Airflow; and before the log is written, so their lines are in it.
  const callbackEvent = outcome.kind === 'finished' && 'task' in lookup ? callbackEventFor(finish, ti.tryNumber, info.maxTries) : null;
  if (callbackEvent && 'task' in lookup) await runCallbacks(lookup.task, callbackEvent.event, callbackEvent.state, callbackEvent.error);
  try {
    const continuing = (info.firstRescheduleDate ?? null) !== null || (started.taskInstance.nextMethod ?? null) !== null;
    await log.save(deps.objectStore, workload.logKey, { continuing });
  } catch (error) {
    deps.logger.error('Could not write the task log', { ...logKeys(ti), log_key: workload.logKey, error: describeError(error) });
  }
  return outcome;
}

function failureOf(error: unknown, log: TaskLog, at: { now: Date; info: AttemptInfo }): Omit<FinishTaskRequest, 'workerId' | 'endDate'> {
  const signal = taskSignalOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (signal === 'skip') {
    log.info(`Task skipped: ${message}`);
    return { state: 'skipped' };
  }
  const deferral = deferralOf(error);
  if (deferral) {
    const deferred = deferredFinish(deferral, at.now, at.info);
    log.info(describeDeferral(deferred));
    return deferred;
  }
  const rescheduleDate = rescheduleDateOf(error);
  if (rescheduleDate) {
    log.info(`Rescheduling task: it runs again at ${rescheduleDate.toISOString()} (${message})`);
    return { state: 'up_for_reschedule', rescheduleDate: rescheduleDate.toISOString() };
  }
  log.error(`Task failed: ${describeError(error)}`);
  const retryable =
    signal !== 'fail_no_retry' &&
    !(error instanceof TaskNotFoundError) &&
    !(error instanceof UnsupportedOperatorError) &&
    // Airflow does not retry AirflowSensorTimeout: a retry would only start the wait over.
    !(error instanceof SensorTimeoutError);
  if (!retryable) log.info('This failure is not retried.');
  const name = error instanceof Error ? error.name : 'Error';
  return { state: 'failed', retryable, error: `${name}: ${message}` };
}

async function report(
  client: ExecutionApiClient,
  ti: TaskAttemptKey,
  request: FinishTaskRequest,
  log: TaskLog,
  logger: Logger,
): Promise<TaskRunOutcome> {
  try {
    await client.finish(ti, request);
    log.info(`Marking task as ${request.state.toUpperCase()}.`);
    return { kind: 'finished', state: request.state };
  } catch (error) {
    const reason = error instanceof ExecutionConflictError ? (error.reason ?? 'conflict') : 'finish_failed';
    log.error(`Could not report the end of the attempt (${request.state}): ${(error as Error).message}`);
    logger.error('Could not report the end of the attempt', { ...logKeys(ti), state: request.state, error: describeError(error) });
    return { kind: 'interrupted', reason };
  }
}

export function logKeys(ti: TaskAttemptKey): Record<string, unknown> {
  return { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex, try_number: ti.tryNumber };
}
