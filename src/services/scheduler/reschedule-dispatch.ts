import { ConflictError } from '../../core/errors.ts';
import type { TaskAttemptKey, TaskInstanceKey } from '../../core/model/keys.ts';
import { executeTaskWorkload } from './execute-task-workload.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { delayedRequeueMarker, delayedRequeueSeconds } from '../../core/scheduling/delayed-requeue.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import type { TaskTokens } from '../execution/task-tokens.ts';
import { RunFactsCache } from '../run-facts-cache.ts';

export interface RescheduleDispatchDeps {
  metastore: Pick<Metastore, 'updateTaskInstance' | 'getDagRun'>;
  executors: ExecutorRegistry;
  tokens: TaskTokens;
  dagVersions: DagVersionCache;
  clock: Clock;
  logger: Logger;
  runFacts?: RunFactsCache;
}

/** What happened to one rescheduled try. */
export type RescheduleDispatchOutcome =
  | { kind: 'sent'; delaySeconds: number; executor: string }
  /** Beyond the queue's delay limit, on an executor that cannot delay, or the run/task is gone: the tick queues it. */
  | { kind: 'left_to_tick'; reason: string };

/**
 * Requeues a rescheduled try at the right time without waiting for a tick: when its reschedule date is
 * within 15 minutes and its executor can hold a start back (SQS DelaySeconds), the same try's workload is
 * sent at once with that delay. The instance stays up_for_reschedule (what users see, as in Airflow);
 * `externalExecutorId` records that a delivery is out, so planning does not queue a copy before the
 * reschedule date plus the queued timeout. The delivery names the reschedule date, and the start gate
 * accepts it only while that date is still the stored one, so a duplicate or stale delivery runs nothing.
 */
export class RescheduleDispatch {
  private readonly runs: RunFactsCache;

  constructor(private readonly deps: RescheduleDispatchDeps) {
    this.runs = deps.runFacts ?? new RunFactsCache(deps.metastore);
  }

  async dispatch(attempt: TaskAttemptKey, rescheduleDate: Date): Promise<RescheduleDispatchOutcome> {
    const delaySeconds = delayedRequeueSeconds(rescheduleDate, this.deps.clock.now());
    if (delaySeconds === null) return { kind: 'left_to_tick', reason: 'the reschedule date is more than 15 minutes away' };
    const run = await this.runs.get(attempt);
    if (!run) return { kind: 'left_to_tick', reason: 'the run does not exist' };
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = version.serialized.tasks.find((candidate) => candidate.taskId === attempt.taskId);
    if (!task) return { kind: 'left_to_tick', reason: 'the task is not in the run\'s DAG version' };
    const executor = this.deps.executors.resolve(task.executor);
    if (!executor.capabilities.supportsDelayedStart) {
      return { kind: 'left_to_tick', reason: `executor "${executor.name}" cannot delay a start` };
    }
    const workload = executeTaskWorkload(this.deps.tokens, attempt, task, run, version, {
      queuedAt: this.deps.clock.now(),
      delaySeconds,
      rescheduleDate,
    });
    await executor.queueWorkload(workload, { delaySeconds, executorConfig: task.executorConfig });
    // A parked try holds no executor slot: the slot is taken again when the delivery starts it.
    executor.releaseSlot(attempt);
    await this.markSent(attempt, rescheduleDate, executor.name);
    this.deps.logger.info('Rescheduled try sent ahead with a queue delay', {
      ...logKeys(attempt),
      executor: executor.name,
      delay_seconds: delaySeconds,
      reschedule_date: rescheduleDate.toISOString(),
    });
    return { kind: 'sent', delaySeconds, executor: executor.name };
  }

  /** Best effort: without the mark the tick may queue a copy, which the start gate then refuses. */
  private async markSent(attempt: TaskAttemptKey, rescheduleDate: Date, executor: string): Promise<void> {
    try {
      await this.deps.metastore.updateTaskInstance(
        keyOf(attempt),
        { externalExecutorId: delayedRequeueMarker(rescheduleDate), executor },
        { state: 'up_for_reschedule', tryNumber: attempt.tryNumber, rescheduleDate },
      );
    } catch (error) {
      // Lost to the delivery itself (it started already) or to a clear: nothing to mark any more.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

function keyOf(ti: TaskInstanceKey): TaskInstanceKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
}

function logKeys(attempt: TaskAttemptKey): Record<string, unknown> {
  return { dag_id: attempt.dagId, run_id: attempt.runId, task_id: attempt.taskId, try_number: attempt.tryNumber };
}
