import { dagRunMapKey } from '../../core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedTask } from '../../core/model/serialized-dag.ts';
import type { Executor, ExecutorEvent } from '../../core/ports/executor.ts';
import { planExecutorEvent, requeueTransition } from '../../core/scheduling/executor-events.ts';
import type { TaskTransition } from '../../core/scheduling/task-planning.ts';
import type { SchedulerDeps } from './settings.ts';
import { describe, type TransitionApplier } from './transition-applier.ts';

export interface ExecutorSyncReport {
  /** Attempts sent again: not adoptable, or lost by their environment. */
  requeued: number;
  /** Executor events that changed a task instance. */
  eventsApplied: number;
  /** Executors whose heartbeat failed (each logged). */
  errors: number;
}

/**
 * The executors' part of a tick (Airflow's executor heartbeat and `_process_executor_events`): bring
 * each executor's bookkeeping in line with the task instances that really are queued or running,
 * send again what it cannot adopt, let it learn what ended, and act on the ends it saw before the
 * runner could report them.
 */
export class ExecutorSync {
  constructor(
    private readonly deps: SchedulerDeps,
    private readonly applier: TransitionApplier,
  ) {}

  async heartbeat(active: readonly TaskInstanceRecord[], runs: ReadonlyMap<string, DagRunRecord>): Promise<ExecutorSyncReport> {
    const report: ExecutorSyncReport = { requeued: 0, eventsApplied: 0, errors: 0 };
    const { executors } = this.deps;
    for (const executor of executors.all) {
      const mine = active.filter((ti) => (ti.executor ?? executors.defaultName) === executor.name);
      try {
        const notAdopted = await executor.reconcile(mine);
        for (const ti of notAdopted.filter((candidate) => candidate.state === 'queued')) {
          const applied = await this.applyFor(ti, runs, (task) =>
            requeueTransition(task, ti, this.deps.clock.now(), `executor "${executor.name}" could not adopt it from an earlier scheduler`),
          );
          if (applied) report.requeued += 1;
        }
        await executor.heartbeat();
      } catch (error) {
        report.errors += 1;
        this.deps.logger.error(`Executor "${executor.name}" heartbeat failed; the next tick tries again: ${describe(error)}`, {
          executor: executor.name,
        });
      }
      const applied = await this.processEvents(executor, runs);
      report.eventsApplied += applied.eventsApplied;
      report.requeued += applied.requeued;
    }
    return report;
  }

  /** Acts on the events the executor gathered (after a heartbeat, or an ECS state change event). */
  async processEvents(
    executor: Executor,
    runs: ReadonlyMap<string, DagRunRecord> = new Map(),
  ): Promise<Pick<ExecutorSyncReport, 'eventsApplied' | 'requeued'>> {
    let eventsApplied = 0;
    let requeued = 0;
    for (const event of executor.drainEvents()) {
      try {
        const ti = await this.deps.metastore.getTaskInstance(event.attempt);
        if (!ti) continue;
        const transition = await this.applyFor(ti, runs, (task, run) =>
          planExecutorEvent({ event, ti, task, run, now: this.deps.clock.now() }),
        );
        if (!transition) {
          this.deps.logger.debug('Executor event needs nothing: the attempt already reported or moved on', eventAttributes(executor, event));
          continue;
        }
        eventsApplied += 1;
        if (transition.kind === 'requeue') requeued += 1;
        this.deps.logger.warn(`Executor event: ${transition.reason}`, eventAttributes(executor, event));
      } catch (error) {
        this.deps.logger.error(`Could not act on an executor event: ${describe(error)}`, eventAttributes(executor, event));
      }
    }
    return { eventsApplied, requeued };
  }

  /** Plans with the task and run of `ti`, applies the transition, and answers it when it was applied. */
  private async applyFor(
    ti: TaskInstanceRecord,
    runs: ReadonlyMap<string, DagRunRecord>,
    plan: (task: SerializedTask, run: DagRunRecord) => TaskTransition | null,
  ): Promise<TaskTransition | null> {
    const run = runs.get(dagRunMapKey(ti)) ?? (await this.deps.metastore.getDagRun(ti));
    if (!run) return null;
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const task = version.serialized.tasks.find((candidate) => candidate.taskId === ti.taskId);
    if (!task) return null;
    const transition = plan(task, run);
    if (!transition) return null;
    const result = await this.applier.apply(transition, run, version);
    return result.outcome === 'applied' ? transition : null;
  }
}

function eventAttributes(executor: Executor, event: ExecutorEvent): Record<string, unknown> {
  const { attempt } = event;
  return {
    executor: executor.name,
    dag_id: attempt.dagId,
    run_id: attempt.runId,
    task_id: attempt.taskId,
    map_index: attempt.mapIndex,
    try_number: attempt.tryNumber,
    event_state: event.state,
    external_id: event.externalId,
  };
}
