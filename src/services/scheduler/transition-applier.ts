import { ConflictError } from '../../core/errors.ts';
import { METRIC_NAMES } from '../../core/metric-names.ts';
import { attemptKeyOf, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { DagRunRecord, DagVersionRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import { executeTaskWorkload } from './execute-task-workload.ts';
import type { Executor } from '../../core/ports/executor.ts';
import type { TaskTransition } from '../../core/scheduling/task-planning.ts';
import type { SchedulerDeps } from './settings.ts';
import { SlotLeaseGate } from '../pools/slot-lease-gate.ts';

export interface AppliedTransition {
  transition: TaskTransition;
  /**
   * `applied`: this scheduler's write won (and, for queueing, the executor accepted the workload);
   * `lost_race`: someone else changed the instance first; `failed`: an error, already logged;
   * `no_slot`: its executor has no open slot, so nothing was written and a later pass queues it.
   */
  outcome: 'applied' | 'lost_race' | 'failed' | 'no_slot';
  /** The instance as it is now, as far as this scheduler knows (null: unknown, re-read next time). */
  record: TaskInstanceRecord | null;
}

/**
 * Applies planned transitions as conditional writes. Losing a race is normal (another scheduler, the
 * fast path, or a worker got there first) and is reported as `lost_race` with the winner's record,
 * never as an error; nothing is ever queued twice because the queue write names the try it replaces.
 */
export class TransitionApplier {
  /** Pools and concurrency limits; null when the deps carry no slot leases (nothing is limited). */
  private readonly slots: SlotLeaseGate | null;

  constructor(
    private readonly deps: Pick<SchedulerDeps, 'metastore' | 'executors' | 'clock' | 'tokens' | 'logger' | 'metrics' | 'slotLeases' | 'pools'>,
  ) {
    const { slotLeases, pools, clock, logger } = deps;
    this.slots = slotLeases && pools ? new SlotLeaseGate({ slotLeases, pools, clock, logger }) : null;
  }

  async apply(transition: TaskTransition, run: DagRunRecord, version: DagVersionRecord): Promise<AppliedTransition> {
    try {
      switch (transition.kind) {
        case 'queue':
        case 'requeue':
          return await this.handToExecutor(transition, run, version);
        default:
          return await this.write(transition, version);
      }
    } catch (error) {
      if (error instanceof ConflictError) {
        this.deps.logger.debug('Task instance changed under the scheduler; leaving it', this.attributes(transition.ti));
        return { transition, outcome: 'lost_race', record: (error.current as TaskInstanceRecord | null | undefined) ?? null };
      }
      this.deps.logger.error(`Could not apply "${transition.kind}" to a task instance: ${describe(error)}`, this.attributes(transition.ti));
      return { transition, outcome: 'failed', record: null };
    }
  }

  private async write(transition: TaskTransition, version: DagVersionRecord): Promise<AppliedTransition> {
    const record = await this.deps.metastore.updateTaskInstance(keyOf(transition.ti), transition.changes, transition.condition);
    this.deps.logger.info(`Task instance ${record.state}: ${transition.reason}`, this.attributes(record));
    // The scheduler ended the last try itself (timeout, lost heartbeat, executor lost it): a final
    // failure no runner will report. Counted only here, after the write that won.
    if (transition.kind === 'fail') this.deps.metrics?.count(METRIC_NAMES.taskFailures);
    const { ti } = transition;
    // The scheduler took the attempt away (timeout, lost heartbeat): stop what may still run it.
    if ((transition.kind === 'retry' || transition.kind === 'fail') && (ti.state === 'running' || ti.state === 'queued')) {
      await this.stopAttempt(ti, transition.reason);
    }
    // The ended attempt (a lost worker, a timeout, a deferral that timed out, a softFail sensor's
    // deferral skipped at its timeout) gives back its slots.
    const ended = transition.kind === 'retry' || transition.kind === 'fail' || (transition.kind === 'skip' && ti.state === 'deferred');
    if (ended && this.slots) {
      await this.slots.releaseIn(attemptKeyOf(ti), record.state, transition.task, version.serialized);
    }
    return { transition, outcome: 'applied', record };
  }

  private async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    try {
      await this.deps.executors.resolve(ti.executor).stopAttempt(ti, reason);
    } catch (error) {
      this.deps.logger.warn(`Could not stop the attempt in its executor: ${describe(error)}`, this.attributes(ti));
    }
  }

  /**
   * Queue (a new try) and requeue (the same try, sent again after the queued timeout) are the same write
   * then send; they differ in what a failed send means.
   */
  private async handToExecutor(transition: TaskTransition, run: DagRunRecord, version: DagVersionRecord): Promise<AppliedTransition> {
    const executor = this.deps.executors.resolve(transition.task.executor);
    const attempt: TaskAttemptKey = { ...keyOf(transition.ti), tryNumber: transition.changes.tryNumber ?? transition.ti.tryNumber };
    // The slot is taken before the first await: transitions applied concurrently queue in planning's
    // (priority) order, and never past the executor's parallelism.
    if (transition.kind === 'queue' && !executor.reserveSlot(attempt)) {
      this.deps.logger.debug(`Executor "${executor.name}" has no open slot; the task waits`, this.attributes(transition.ti));
      return { transition, outcome: 'no_slot', record: transition.ti };
    }
    // Pools and limits: the leases come before the write, so no instance is queued past a limit. A
    // requeue (same try) already holds them; acquiring again is a no-op that repairs a lost lease.
    if (this.slots) {
      let answer: Awaited<ReturnType<SlotLeaseGate['acquire']>>;
      try {
        answer = await this.slots.acquire(attempt, transition.task, version.serialized);
      } catch (error) {
        if (transition.kind === 'queue') executor.releaseSlot(attempt);
        throw error;
      }
      if (!answer.granted) {
        if (transition.kind === 'queue') executor.releaseSlot(attempt);
        this.deps.logger.debug(`Task instance waits: ${answer.reason}`, this.attributes(transition.ti));
        return { transition, outcome: 'no_slot', record: transition.ti };
      }
    }
    let record: TaskInstanceRecord;
    try {
      record = await this.deps.metastore.updateTaskInstance(
        keyOf(transition.ti),
        { ...transition.changes, executor: executor.name },
        transition.condition,
      );
    } catch (error) {
      if (transition.kind === 'queue') {
        executor.releaseSlot(attempt);
        if (error instanceof ConflictError) await this.giveBackAfterLostQueue(attempt, error.current, transition, version);
      }
      throw error;
    }
    try {
      await this.send(executor, transition, record, run, version);
    } catch (error) {
      if (transition.kind === 'queue') executor.releaseSlot(attempt);
      // A requeued instance stays queued and is re-sent after the next timeout.
      if (transition.kind === 'requeue') throw error;
      // Hand it back to the next tick with the try it had, so the next queue is the same try: `scheduled`
      // (its dependencies were met), or the parked state it came from, which continues the same try.
      this.deps.logger.warn(`Sending the task to executor "${executor.name}" failed; the next tick retries: ${describe(error)}`, this.attributes(record));
      const reverted = await this.deps.metastore
        .updateTaskInstance(
          keyOf(record),
          { state: transition.ti.state === 'none' ? 'scheduled' : transition.ti.state, tryNumber: transition.ti.tryNumber, queuedAt: null },
          { state: 'queued', tryNumber: record.tryNumber },
        )
        .catch((revertError: unknown) => (revertError instanceof ConflictError ? null : Promise.reject(revertError)));
      // Handed back with its old try, the attempt never ran: its slots are free. (A lost revert means a
      // worker took it after all; it keeps them.)
      if (reverted && this.slots) await this.slots.releaseIn(attempt, reverted.state, transition.task, version.serialized);
      return { transition, outcome: 'failed', record: reverted };
    }
    if (transition.kind === 'requeue') {
      this.deps.logger.warn(`Task instance sent again with the same try: ${transition.reason}`, this.attributes(record));
    } else {
      this.deps.logger.info(`Task instance queued on "${executor.name}": ${transition.reason}`, this.attributes(record));
    }
    return { transition, outcome: 'applied', record };
  }

  /**
   * A queue write lost after its leases were taken. Another scheduler may have queued the same try (and
   * holds the same, idempotent leases), so only what the instance as stored no longer holds is given
   * back; when the store did not say, the reconcile decides.
   */
  private async giveBackAfterLostQueue(
    attempt: TaskAttemptKey,
    current: unknown,
    transition: TaskTransition,
    version: DagVersionRecord,
  ): Promise<void> {
    if (!this.slots || current === undefined) return;
    const stored = current as TaskInstanceRecord | null;
    const state = stored !== null && stored.tryNumber === attempt.tryNumber ? stored.state : 'none';
    await this.slots.releaseIn(attempt, state, transition.task, version.serialized);
  }

  private async send(
    executor: Executor,
    transition: TaskTransition,
    record: TaskInstanceRecord,
    run: DagRunRecord,
    version: DagVersionRecord,
  ): Promise<void> {
    const attempt = attemptKeyOf(record);
    const workload = executeTaskWorkload(this.deps.tokens, attempt, transition.task, run, version, {
      queuedAt: record.queuedAt ?? this.deps.clock.now(),
    });
    const { externalId } = await executor.queueWorkload(workload, { executorConfig: transition.task.executorConfig });
    if (externalId !== null) {
      // Only useful while it is still queued; a worker that already started it owns the record now.
      await this.deps.metastore
        .updateTaskInstance(keyOf(record), { externalExecutorId: externalId }, { state: 'queued', tryNumber: record.tryNumber })
        .catch((error: unknown) => {
          if (!(error instanceof ConflictError)) this.deps.logger.warn(`Could not record the executor's id: ${describe(error)}`, this.attributes(record));
        });
    }
  }

  private attributes(ti: TaskInstanceRecord): Record<string, unknown> {
    return { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex, try_number: ti.tryNumber };
  }
}

export function keyOf(ti: TaskInstanceKey): TaskInstanceKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
