import type { DagRunKey, TaskAttemptKey } from '../../core/model/keys.ts';
import { isTerminalAttemptState, type AttemptEndState, type TerminalAttemptState } from '../../core/model/states.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import { trackSlotRelease } from '../pools/slot-lease-gate.ts';
import { attemptLogKeys } from './attempt-log-keys.ts';
import type { FinishAttemptRequest } from './attempt-messages.ts';
import type { AttemptSlots } from './attempt-slots.ts';

export interface FinishFollowUpDeps {
  logger: Logger;
  metrics?: Metrics;
  onTaskFinished: (run: DagRunKey, finished?: { taskId: string; mapIndex: number; state: TerminalAttemptState }) => Promise<void>;
  onTaskRescheduled?: (attempt: TaskAttemptKey, rescheduleDate: Date) => Promise<void>;
}

/**
 * What follows a finish once it is durable: the reschedule dispatch, the slot release beside the fast
 * path, and the metrics flush. None of them fails the finish; the scheduler's tick catches up on each.
 */
export class FinishFollowUp {
  constructor(
    private readonly deps: FinishFollowUpDeps,
    private readonly slots: AttemptSlots,
  ) {}

  /** Sends a rescheduled try again with a queue delay where that is possible; never fails the finish. */
  async dispatchReschedule(attempt: TaskAttemptKey, request: FinishAttemptRequest): Promise<void> {
    if (request.state !== 'up_for_reschedule' || !request.rescheduleDate || !this.deps.onTaskRescheduled) return;
    try {
      await this.deps.onTaskRescheduled(attempt, request.rescheduleDate);
    } catch (error) {
      this.deps.logger.warn('Could not send the rescheduled try ahead; the scheduler tick will queue it', {
        ...attemptLogKeys(attempt),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async runFastPath(attempt: TaskAttemptKey, state: AttemptEndState): Promise<void> {
    // Side by side with the fast path: an acquire that finds the freed limit full waits for this
    // release (SlotLeaseGate tracks releases in flight), so a freed slot is still handed over at once.
    const releasing = this.slots.release(attempt, state);
    trackSlotRelease(releasing);
    try {
      await this.fastPath(attempt, state);
    } finally {
      await releasing;
    }
  }

  async flushMetrics(): Promise<void> {
    try {
      await this.deps.metrics?.flush();
    } catch (error) {
      // The finish is durable; a metric that could not be written must not turn it into an error.
      this.deps.logger.warn(`Could not write the task metrics: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async fastPath(attempt: TaskAttemptKey, state: AttemptEndState): Promise<void> {
    // A parked attempt changes nothing downstream; the tick (or the triggerer) picks it up again.
    if (!isTerminalAttemptState(state)) return;
    try {
      await this.deps.onTaskFinished(
        { dagId: attempt.dagId, runId: attempt.runId },
        { taskId: attempt.taskId, mapIndex: attempt.mapIndex, state },
      );
    } catch (error) {
      // The scheduler's tick schedules the run anyway; the finish itself is durable.
      this.deps.logger.error('Fast path failed after a task finished; the next scheduler tick will catch up', {
        dag_id: attempt.dagId,
        run_id: attempt.runId,
        task_id: attempt.taskId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
