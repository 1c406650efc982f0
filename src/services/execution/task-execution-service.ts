import { NotFoundError, type UpdraftError } from '../../core/errors.ts';
import type { DagRunKey, TaskAttemptKey, TaskInstanceKey } from '../../core/model/keys.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { AssetEventRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../core/model/serialized-dag.ts';
import type { AttemptEndState, TerminalAttemptState } from '../../core/model/states.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore, TaskInstanceChanges, TaskInstanceCondition } from '../../core/ports/metastore.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import { METRIC_NAMES } from '../../core/metric-names.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { retryDelaySeconds } from '../../core/scheduling/retry.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import {
  type AttemptActor,
  checkFinishRequest,
  finishConflictError,
  finishedStateFor,
  finishNeedsRecord,
  heartbeatConflictError,
  holdsAttempt,
  startConflictError,
} from './attempt-decisions.ts';
import type { DagRunStates, FinishAttemptRequest, HeartbeatRequest, StartAttemptRequest, StartedAttempt } from './attempt-messages.ts';
import { XComNotFoundError } from './errors.ts';
import { resolveParams } from './run-context.ts';
import { isMappedTask, MappedInputError, resolveMappedInputs, type MappedInputs } from './mapped-inputs.ts';
import { StartXComReads } from './start-xcom-reads.ts';
import { readUpstreamXComs } from './upstream-xcoms.ts';
import { assertTokenForRun, assertTokenForTaskInstance, staleAttemptError } from './token-scope.ts';
import { RETURN_VALUE_KEY, XComValues } from './xcom-values.ts';
import { RunFactsCache, type RunFacts } from '../run-facts-cache.ts';
import type { PoolStore } from '../../core/ports/pool-store.ts';
import type { SlotLeaseStore } from '../../core/ports/slot-lease-store.ts';
import { delayedStartCondition } from './delayed-start.ts';
import { attemptLogKeys } from './attempt-log-keys.ts';
import { AttemptSlots } from './attempt-slots.ts';
import { FinishFollowUp } from './finish-follow-up.ts';
import { taskInstanceNotFound, transitionTaskInstance } from './task-instance-transition.ts';
import { readDagRunStates } from './dag-run-states.ts';

export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 10;

export interface TaskExecutionDeps {
  metastore: Metastore;
  objectStore: ObjectStore;
  clock: Clock;
  logger: Logger;
  dagVersions: DagVersionCache;
  /** The fast path: schedules the run's downstream tasks. Its failure never fails a finish. */
  /** The fast path; `finished` says which attempt ended and how, so it can skip passes that change nothing. */
  onTaskFinished: (run: DagRunKey, finished?: { taskId: string; mapIndex: number; state: TerminalAttemptState }) => Promise<void>;
  heartbeatIntervalSeconds?: number;
  /** Runs' fixed facts; share one with the fast path's scheduler so a process reads each run once. */
  runFacts?: RunFactsCache;
  /** Counts attempts that ended in success or failed; flushed after each finish. Default: none. */
  metrics?: Metrics;
  // Concurrency limits: with both, a finish gives back the attempt's slot leases before the fast path
  // runs (so the freed slot can go to a downstream task at once); without, nothing is limited.
  /** The scheduler's slot leases (the same store). */
  slotLeases?: SlotLeaseStore;
  /** Pool records, for whether a deferred attempt keeps its pool slot. */
  pools?: PoolStore;
  /**
   * Called after a finish parked the try in up_for_reschedule (the reschedule dispatch sends it again
   * with a queue delay). Its failure never fails the finish: the tick queues the try anyway.
   */
  onTaskRescheduled?: (attempt: TaskAttemptKey, rescheduleDate: Date) => Promise<void>;
}

/**
 * The server side of the Task Execution API: everything a running attempt may do to orchestration
 * state. Each method takes the attempt its (already verified) token names and refuses to act beyond it.
 */
export class TaskExecutionService {
  private readonly xcoms: XComValues;
  private readonly runs: RunFactsCache;
  private readonly slots: AttemptSlots;
  private readonly followUp: FinishFollowUp;

  constructor(private readonly deps: TaskExecutionDeps) {
    this.xcoms = new XComValues(deps);
    this.runs = deps.runFacts ?? new RunFactsCache(deps.metastore);
    this.slots = new AttemptSlots(deps, this.runs);
    this.followUp = new FinishFollowUp(deps, this.slots);
  }

  /** The gate: queued → running for the token's attempt. A repeat by the same worker succeeds again. */
  async start(token: TaskAttemptKey, target: TaskInstanceKey, request: StartAttemptRequest): Promise<StartedAttempt> {
    assertTokenForTaskInstance(token, target);
    const actor: AttemptActor = { ...token, workerId: request.workerId };
    const now = this.deps.clock.now();
    const startChanges: TaskInstanceChanges = {
      state: 'running',
      workerId: request.workerId,
      startDate: request.startDate,
      lastHeartbeatAt: now,
      // What an earlier attempt left behind does not describe this one.
      endDate: null,
      nextRetryAt: null,
      rescheduleDate: null,
      trigger: null,
      triggerTimeout: null,
    };
    let delayedFrom: TaskInstanceCondition | null = null;
    const claim = this.transition(token, startChanges, { state: 'queued', tryNumber: token.tryNumber }, (current) => {
      delayedFrom = delayedStartCondition(current, token, request.rescheduleDate);
      return delayedFrom ? null : startConflictError(current, actor);
    }).then((claimed) =>
      // A delayed delivery of a reschedule starts the try straight from up_for_reschedule (delayed-start.ts).
      delayedFrom ? this.startDelayed(token, { ...startChanges, queuedAt: now }, delayedFrom, actor) : claimed,
    );
    const [{ record: ti }, run] = await Promise.all([claim, this.runs.get(token)]);
    if (!run) throw new NotFoundError(`The DAG run ${token.dagId}/${token.runId} does not exist; it may have been deleted.`);
    this.deps.logger.info('Task attempt started', { ...attemptLogKeys(token), worker_id: request.workerId, pid: request.pid });

    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = this.findTask(run, version.serialized.tasks, token.taskId);
    // Stale XComs of an earlier attempt must not leak into this one (Airflow clears them too). A first
    // try has no earlier attempt (clearing a task instance moves its try number on), so the hot path
    // skips the listing; a try resuming from a deferral keeps what it pushed before deferring.
    const reads = new StartXComReads(token, this.xcoms, this.deps.metastore);
    const [upstreamXComs, mappedInputs] = await Promise.all([
      task ? readUpstreamXComs(token, task, version.serialized, reads) : {},
      task ? this.mappedInputsOf(token, request.workerId, task, version.serialized, reads) : undefined,
      token.tryNumber > 1 && ti.nextMethod === null ? this.xcoms.clear(token) : undefined,
    ]);
    return {
      dagRun: {
        dagId: run.dagId,
        runId: run.runId,
        logicalDate: run.logicalDate.toISOString(),
        dataIntervalStart: run.dataInterval.start.toISOString(),
        dataIntervalEnd: run.dataInterval.end.toISOString(),
        runAfter: run.runAfter.toISOString(),
        runType: run.runType,
        conf: run.conf,
      },
      taskInstance: {
        taskId: ti.taskId,
        mapIndex: ti.mapIndex,
        tryNumber: ti.tryNumber,
        maxTries: ti.maxTries,
        nextMethod: ti.nextMethod,
        nextKwargs: ti.nextKwargs,
        firstRescheduleDate: ti.firstRescheduleDate?.toISOString() ?? null,
      },
      params: resolveParams(version.serialized.params, run.conf),
      upstreamXComs,
      ...(mappedInputs ? { mappedInputs } : {}),
      heartbeatIntervalSeconds: this.deps.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
    };
  }

  /**
   * A mapped instance's elements. When they cannot be found the attempt is failed here (retries apply)
   * before the start is refused: the runner cannot run it, and waiting for the heartbeat timeout
   * would only delay the same outcome.
   */
  private async mappedInputsOf(
    token: TaskAttemptKey,
    workerId: string,
    task: SerializedTask,
    dag: Pick<SerializedDag, 'tasks' | 'taskGroups'>,
    reads: StartXComReads,
  ): Promise<MappedInputs | undefined> {
    try {
      return await resolveMappedInputs(token, task, dag, reads);
    } catch (error) {
      if (!(error instanceof MappedInputError)) throw error;
      const endDate = this.deps.clock.now();
      await this.finish(token, token, { state: 'failed', workerId, endDate, retryable: true, error: `${error.name}: ${error.message}` });
      throw error;
    }
  }

  async heartbeat(token: TaskAttemptKey, target: TaskInstanceKey, request: HeartbeatRequest): Promise<void> {
    assertTokenForTaskInstance(token, target);
    const actor: AttemptActor = { ...token, workerId: request.workerId };
    await this.transition(
      token,
      { lastHeartbeatAt: this.deps.clock.now() },
      { state: 'running', tryNumber: token.tryNumber, workerId: request.workerId },
      (current) => heartbeatConflictError(current, actor),
    );
  }

  /**
   * Ends the attempt (or parks it, for up_for_reschedule and deferred); a repeat of a finish that was
   * applied succeeds again. Answers the state written, then runs the fast path.
   */
  async finish(token: TaskAttemptKey, target: TaskInstanceKey, request: FinishAttemptRequest): Promise<{ state: AttemptEndState }> {
    try {
      return await this.finishAttempt(token, target, request);
    } finally {
      // The fast path's scheduler counts into the same metrics: one flush covers both.
      await this.followUp.flushMetrics();
    }
  }

  private async finishAttempt(token: TaskAttemptKey, target: TaskInstanceKey, request: FinishAttemptRequest): Promise<{ state: AttemptEndState }> {
    assertTokenForTaskInstance(token, target);
    checkFinishRequest(request);
    const actor: AttemptActor = { ...token, workerId: request.workerId };
    if (!finishNeedsRecord(request)) {
      // Nothing here depends on the stored record, so the conditional write goes first and explains
      // itself when it loses (the hot path of tasks that return nothing: one request, not two).
      await this.applyFinish(token, actor, request.state, request);
      await this.followUp.dispatchReschedule(token, request);
      await this.followUp.runFastPath(token, request.state);
      return { state: request.state };
    }
    // A failure's outcome depends on the tries left, and a return value or asset events must only be
    // written by the attempt that holds the instance: read first.
    const ti = await this.deps.metastore.getTaskInstance(token);
    if (!ti) throw taskInstanceNotFound(token);
    const finishedState = finishedStateFor(request, ti);
    if (holdsAttempt(ti, actor)) {
      await this.applyFinish(token, actor, finishedState, request);
      if (finishedState === 'up_for_reschedule') await this.followUp.dispatchReschedule(token, request);
    } else {
      const refusal = finishConflictError(ti, actor, finishedState);
      if (refusal) throw refusal;
      this.deps.logger.info('Task attempt finish repeated; already applied', { ...attemptLogKeys(token), state: finishedState });
    }
    await this.followUp.runFastPath(token, finishedState);
    return { state: finishedState };
  }

  /**
   * Another DAG's run for a logical date and its task states (externalTaskSensor, external-run triggers).
   * Any valid attempt token may read any DAG, as Airflow's Execution API allows.
   */
  async getDagRunStates(_token: TaskAttemptKey, dagId: string, logicalDate: Date, taskIds: readonly string[] | null): Promise<DagRunStates> {
    return readDagRunStates(this.deps.metastore, dagId, logicalDate, taskIds);
  }

  /** Any task instance of the token's run may be read: a task pulls from any task of its run. */
  async getXCom(token: TaskAttemptKey, target: TaskInstanceKey, key: string): Promise<{ key: string; value: unknown }> {
    assertTokenForRun(token, target);
    let value = await this.xcoms.get(target, key);
    // A mapped task's XCom, read without a map index, is the list of its instances' values (as Airflow).
    if (value === undefined && target.mapIndex === -1) value = await this.mappedXComs(target, key);
    if (value === undefined) {
      throw new XComNotFoundError(
        `${formatTaskInstanceKey(target)} has no XCom "${key}"; the task may not have run yet or pushed nothing under that key.`,
      );
    }
    return { key, value };
  }

  /** Only the token's own task instance, and only while its attempt is the current one and running. */
  async setXCom(token: TaskAttemptKey, target: TaskInstanceKey, key: string, value: unknown): Promise<void> {
    assertTokenForTaskInstance(token, target);
    const ti = await this.deps.metastore.getTaskInstance(token);
    if (!ti) throw taskInstanceNotFound(token);
    if (ti.tryNumber !== token.tryNumber) throw staleAttemptError(token, ti.tryNumber);
    if (ti.state !== 'running') {
      throw heartbeatConflictError(ti, { ...token, workerId: ti.workerId ?? '' });
    }
    await this.xcoms.put(token, key, value);
  }

  private async applyFinish(
    token: TaskAttemptKey,
    actor: AttemptActor,
    finishedState: AttemptEndState,
    request: FinishAttemptRequest,
  ): Promise<void> {
    if (request.state === 'success') {
      await Promise.all([
        request.returnValue === undefined ? undefined : this.xcoms.put(token, RETURN_VALUE_KEY, request.returnValue),
        request.assetEvents?.length ? this.deps.metastore.recordAssetEvents(assetEventRecords(token, request)) : undefined,
      ]);
    }
    const deferral = finishedState === 'deferred' ? request.deferral : undefined;
    const changes: TaskInstanceChanges = {
      state: finishedState,
      // A deferred attempt has not ended: it continues when its trigger fires.
      endDate: deferral ? null : request.endDate,
      nextRetryAt: finishedState === 'up_for_retry' ? await this.nextRetryAt(token, request.endDate) : null,
      rescheduleDate: finishedState === 'up_for_reschedule' ? (request.rescheduleDate ?? null) : null,
      // Kept across the try's reschedules (a sensor's timeout counts from it); a new try resets it.
      ...(finishedState === 'up_for_reschedule' && request.firstRescheduleDate ? { firstRescheduleDate: request.firstRescheduleDate } : {}),
      trigger: deferral?.trigger ?? null,
      triggerTimeout: deferral?.triggerTimeout ?? null,
      // A resumed attempt's continuation is spent once it ends.
      nextMethod: deferral?.nextMethod ?? null,
      nextKwargs: deferral?.nextKwargs ?? null,
    };
    const { applied } = await this.transition(
      token,
      changes,
      { state: 'running', tryNumber: token.tryNumber, workerId: request.workerId },
      (current) => finishConflictError(current, actor, finishedState),
    );
    // Counted only by the write that changed the state (a repeated finish is answered from the stored
    // record), and only final outcomes: up_for_retry is a try that failed, not a task instance that did.
    if (applied && finishedState === 'success') this.deps.metrics?.count(METRIC_NAMES.taskSuccesses);
    if (applied && finishedState === 'failed') this.deps.metrics?.count(METRIC_NAMES.taskFailures);
    const log = finishedState === 'failed' || finishedState === 'up_for_retry' ? 'warn' : 'info';
    this.deps.logger[log]('Task attempt finished', {
      ...attemptLogKeys(token),
      state: finishedState,
      ...(changes.nextRetryAt ? { next_retry_at: changes.nextRetryAt.toISOString() } : {}),
      ...(changes.rescheduleDate ? { reschedule_date: changes.rescheduleDate.toISOString() } : {}),
      ...(deferral ? { trigger: deferral.trigger.kind, next_method: deferral.nextMethod } : {}),
      ...(request.assetEvents?.length ? { asset_events: request.assetEvents.length } : {}),
      ...(request.error ? { error: request.error } : {}),
    });
  }

  private async nextRetryAt(token: TaskAttemptKey, endDate: Date): Promise<Date> {
    const run = await this.runs.get(token);
    if (!run) throw new NotFoundError(`The DAG run ${token.dagId}/${token.runId} does not exist; it may have been deleted.`);
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = this.findTask(run, version.serialized.tasks, token.taskId);
    const delay = task
      ? retryDelaySeconds(task, {
          dagId: token.dagId,
          taskId: token.taskId,
          runId: token.runId,
          logicalDate: run.logicalDate,
          tryNumber: token.tryNumber,
        })
      : 0;
    return new Date(endDate.getTime() + delay * 1000);
  }


  /** The start of a delayed delivery, from up_for_reschedule: it takes the task's slots first (attempt-slots.ts). */
  private startDelayed(token: TaskAttemptKey, changes: TaskInstanceChanges, condition: TaskInstanceCondition, actor: AttemptActor) {
    return this.slots.startDelayed(token, () => this.transition(token, changes, condition, (current) => startConflictError(current, actor)));
  }

  private transition(
    key: TaskAttemptKey,
    changes: TaskInstanceChanges,
    condition: Parameters<Metastore['updateTaskInstance']>[2],
    explain: (current: TaskInstanceRecord) => UpdraftError | null,
  ): Promise<{ record: TaskInstanceRecord; applied: boolean }> {
    return transitionTaskInstance(this.deps.metastore, key, changes, condition, explain);
  }

  /** The values of a mapped task's instances under `key`; undefined when the task is not mapped. */
  private async mappedXComs(target: TaskInstanceKey, key: string): Promise<unknown[] | undefined> {
    const run = await this.runs.get(target);
    if (!run) return undefined;
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = version.serialized.tasks.find((candidate) => candidate.taskId === target.taskId);
    return task && isMappedTask(task) ? this.xcoms.getMapped(target, target.taskId, key) : undefined;
  }

  private findTask(run: RunFacts, tasks: readonly SerializedTask[], taskId: string): SerializedTask | undefined {
    const task = tasks.find((candidate) => candidate.taskId === taskId);
    if (!task) {
      this.deps.logger.warn('Task is not in the DAG version of its run', {
        dag_id: run.dagId,
        run_id: run.runId,
        task_id: taskId,
        version_id: run.versionId,
      });
    }
    return task;
  }
}

/** Event ids derive from the attempt and position, so a repeated finish writes the same events again. */
function assetEventRecords(attempt: TaskAttemptKey, request: FinishAttemptRequest): AssetEventRecord[] {
  const { dagId, runId, taskId, mapIndex, tryNumber } = attempt;
  return (request.assetEvents ?? []).map((event, index) => ({
    assetUri: event.uri,
    extra: event.extra,
    timestamp: request.endDate,
    source: { dagId, runId, taskId, mapIndex, tryNumber },
    eventId: `${dagId}/${runId}/${taskId}/${mapIndex}/${tryNumber}/${index}`,
  }));
}
