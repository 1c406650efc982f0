import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord, TriggerSpec } from '../../core/model/records.ts';
import type { TaskInstanceState } from '../../core/model/states.ts';
import { METRIC_NAMES } from '../../core/metric-names.ts';
import type { TaskInstanceChanges } from '../../core/ports/metastore.ts';
import { retryDelaySeconds } from '../../core/scheduling/retry.ts';
import { isSameTrigger, resumeKwargs } from '../../core/scheduling/triggers.ts';
import { RunFactsCache } from '../run-facts-cache.ts';
import { finishedStateFor } from './attempt-decisions.ts';
import { attemptLogKeys } from './attempt-log-keys.ts';
import { AttemptConflictError, TaskInstanceNotFoundError } from './errors.ts';
import type { TaskExecutionDeps } from './task-execution-service.ts';
import { assertTokenForTaskInstance, staleAttemptError } from './token-scope.ts';

/** What the triggerer reports when a trigger fired. */
export interface TriggerEventRequest {
  /** The trigger's event payload (JSON); the resumed task reads it as `ctx.resume.event`. */
  event: unknown;
  /** The trigger the event was evaluated for; a deferral that moved on to another trigger refuses it. */
  trigger?: TriggerSpec;
}

/** What the triggerer reports when a trigger could not be evaluated (it threw, or its arguments are wrong). */
export interface TriggerFailureRequest {
  error: string;
  trigger?: TriggerSpec;
}

/** After a fired trigger the same try continues in these states; a repeated report finds one of them. */
const RESUMED_STATES: ReadonlySet<TaskInstanceState> = new Set(['scheduled', 'queued', 'running']);

/**
 * The Execution API's side of the triggerer: a fired trigger resumes the deferred attempt (deferred →
 * scheduled, the same try, the event added to its next kwargs) and schedules its run at once; a trigger
 * that failed fails the attempt by the retry rules, as an erroring trigger does in Airflow. Both are
 * conditional writes on the deferred try, and a repeated report of an applied change succeeds again.
 */
export class TriggerEventService {
  private readonly runs: RunFactsCache;

  constructor(private readonly deps: TaskExecutionDeps) {
    this.runs = deps.runFacts ?? new RunFactsCache(deps.metastore);
  }

  async fire(token: TaskAttemptKey, target: TaskInstanceKey, request: TriggerEventRequest): Promise<{ state: TaskInstanceState }> {
    assertTokenForTaskInstance(token, target);
    const ti = await this.current(token);
    if (this.alreadyResumed(ti, token)) {
      this.deps.logger.info('Trigger event repeated; the attempt already resumed', attemptLogKeys(token));
      return { state: ti.state };
    }
    this.assertDeferredOn(ti, token, request.trigger, 'resume');
    const changes: TaskInstanceChanges = {
      state: 'scheduled',
      trigger: null,
      triggerTimeout: null,
      nextKwargs: resumeKwargs(ti.nextKwargs, request.event),
    };
    const written = await this.write(token, changes, (current) => (this.alreadyResumed(current, token) ? current : null));
    this.deps.logger.info('Trigger fired; the deferred attempt resumes', { ...attemptLogKeys(token), trigger: ti.trigger?.kind });
    await this.schedule(token, null);
    return { state: written.state };
  }

  async fail(token: TaskAttemptKey, target: TaskInstanceKey, request: TriggerFailureRequest): Promise<{ state: TaskInstanceState }> {
    assertTokenForTaskInstance(token, target);
    const ti = await this.current(token);
    const failedState = finishedStateFor({ state: 'failed', retryable: true }, ti) as 'failed' | 'up_for_retry';
    if (ti.tryNumber === token.tryNumber && ti.state === failedState) return { state: ti.state };
    this.assertDeferredOn(ti, token, request.trigger, 'fail');
    const now = this.deps.clock.now();
    const changes: TaskInstanceChanges = {
      state: failedState,
      endDate: now,
      nextRetryAt: failedState === 'up_for_retry' ? await this.nextRetryAt(token, now) : null,
      trigger: null,
      triggerTimeout: null,
      nextMethod: null,
      nextKwargs: null,
    };
    const written = await this.write(token, changes, (current) =>
      current.tryNumber === token.tryNumber && current.state === failedState ? current : null,
    );
    if (failedState === 'failed') this.deps.metrics?.count(METRIC_NAMES.taskFailures);
    this.deps.logger.warn('Trigger failed; the deferred attempt fails', { ...attemptLogKeys(token), state: failedState, error: request.error });
    await this.schedule(token, failedState);
    try {
      await this.deps.metrics?.flush();
    } catch (error) {
      this.deps.logger.warn(`Could not write the task metrics: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { state: written.state };
  }

  private async current(token: TaskAttemptKey): Promise<TaskInstanceRecord> {
    const ti = await this.deps.metastore.getTaskInstance(token);
    if (!ti) {
      throw new TaskInstanceNotFoundError(
        `The task instance ${formatTaskInstanceKey(token)} does not exist; its run may have been deleted. Drop this trigger.`,
      );
    }
    if (ti.tryNumber !== token.tryNumber) throw staleAttemptError(token, ti.tryNumber);
    return ti;
  }

  private alreadyResumed(ti: TaskInstanceRecord, token: TaskAttemptKey): boolean {
    return ti.tryNumber === token.tryNumber && RESUMED_STATES.has(ti.state) && ti.nextMethod !== null && ti.nextKwargs !== null && 'event' in ti.nextKwargs;
  }

  private assertDeferredOn(ti: TaskInstanceRecord, token: TaskAttemptKey, trigger: TriggerSpec | undefined, action: string): void {
    if (ti.state !== 'deferred') {
      throw new AttemptConflictError(
        'invalid_state',
        ti.state,
        `Attempt ${token.tryNumber} of ${formatTaskInstanceKey(token)} is "${ti.state}", not deferred: the trigger cannot ${action} it. ` +
          'It was cleared, timed out or already resumed; drop this trigger.',
      );
    }
    if (trigger && ti.trigger && !isSameTrigger(trigger, ti.trigger)) {
      throw new AttemptConflictError(
        'invalid_state',
        ti.state,
        `Attempt ${token.tryNumber} of ${formatTaskInstanceKey(token)} now waits for another "${ti.trigger.kind}" trigger; ` +
          'this report is about the one it waited for before. Drop it.',
      );
    }
  }

  /** The conditional write on the deferred try; a lost race that shows the same outcome is a repeat. */
  private async write(
    token: TaskAttemptKey,
    changes: TaskInstanceChanges,
    sameOutcome: (current: TaskInstanceRecord) => TaskInstanceRecord | null,
  ): Promise<TaskInstanceRecord> {
    try {
      return await this.deps.metastore.updateTaskInstance(token, changes, { state: 'deferred', tryNumber: token.tryNumber });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = error.current === undefined ? await this.deps.metastore.getTaskInstance(token) : (error.current as TaskInstanceRecord | null);
      if (!current) throw new TaskInstanceNotFoundError(`The task instance ${formatTaskInstanceKey(token)} no longer exists.`);
      const repeated = sameOutcome(current);
      if (repeated) return repeated;
      throw new AttemptConflictError(
        'invalid_state',
        current.state,
        `Attempt ${token.tryNumber} of ${formatTaskInstanceKey(token)} changed to "${current.state}" meanwhile; drop this trigger.`,
      );
    }
  }

  /** The fast path: queue the resumed try (or what a failure unblocks) now rather than at the next tick. */
  private async schedule(token: TaskAttemptKey, failedState: 'failed' | 'up_for_retry' | null): Promise<void> {
    try {
      const run = { dagId: token.dagId, runId: token.runId };
      if (failedState) await this.deps.onTaskFinished(run, { taskId: token.taskId, mapIndex: token.mapIndex, state: failedState });
      else await this.deps.onTaskFinished(run);
    } catch (error) {
      this.deps.logger.error('Fast path failed after a trigger event; the next scheduler tick will catch up', {
        ...attemptLogKeys(token),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async nextRetryAt(token: TaskAttemptKey, now: Date): Promise<Date> {
    const run = await this.runs.get(token);
    if (!run) throw new NotFoundError(`The DAG run ${token.dagId}/${token.runId} does not exist; it may have been deleted.`);
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = version.serialized.tasks.find((candidate) => candidate.taskId === token.taskId);
    const delay = task
      ? retryDelaySeconds(task, { dagId: token.dagId, taskId: token.taskId, runId: token.runId, logicalDate: run.logicalDate, tryNumber: token.tryNumber })
      : 0;
    return new Date(now.getTime() + delay * 1000);
  }
}
