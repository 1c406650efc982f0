import { ConflictError } from '../../core/errors.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedTaskDeadline } from '../../core/model/serialized-dag.ts';
import { FINISHED_TASK_STATES, TASK_INSTANCE_STATES, type TaskInstanceState } from '../../core/model/states.ts';
import { findMissedTaskDeadlines } from '../../core/scheduling/task-deadlines.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { dispatchDagCallback } from './dag-callback-dispatch.ts';
import type { DeadlineStepReport } from './deadline-step.ts';
import type { SchedulerDeps } from './settings.ts';
import { describe } from './transition-applier.ts';

/** A running run and its task instances as the tick's pass over it left them. */
export interface TaskDeadlineCheck {
  run: DagRunRecord;
  instances: readonly TaskInstanceRecord[];
}

/** The mark is written only while the instance is unfinished: one that finished meanwhile never alerts. */
const UNFINISHED_STATES: readonly TaskInstanceState[] = TASK_INSTANCE_STATES.filter((state) => !FINISHED_TASK_STATES.has(state));

/**
 * The tick's task-deadline step, the task-level twin of deadline-step.ts: for each running run it
 * finds the instances past their task's deadline, marks each with a conditional write (unfinished,
 * not marked yet: the write requires `deadlineAlertedAt` absent) and sends the task's
 * deadline callback for the instances this call marked. Two ticks at once, or a retried tick, alert
 * an instance once; a clear removes the mark. Failures are logged and counted, never change a state.
 */
export async function alertMissedTaskDeadlines(
  deps: SchedulerDeps,
  checks: readonly TaskDeadlineCheck[],
  now: Date,
  concurrency: number,
): Promise<DeadlineStepReport> {
  const report: DeadlineStepReport = { alerted: 0, errors: 0 };
  const due: Array<{ run: DagRunRecord; ti: TaskInstanceRecord; deadline: Date }> = [];
  await mapWithConcurrency(checks, concurrency, async ({ run, instances }) => {
    try {
      // Versions are immutable and cached: the pass that produced `instances` read this one already.
      const version = await deps.dagVersions.get(run.dagId, run.versionId);
      const deadlines = new Map<string, SerializedTaskDeadline>();
      for (const task of version.serialized.tasks) if (task.deadline) deadlines.set(task.taskId, task.deadline);
      if (deadlines.size === 0) return;
      for (const missed of findMissedTaskDeadlines(instances, (taskId) => deadlines.get(taskId), now)) due.push({ run, ...missed });
    } catch (error) {
      report.errors += 1;
      deps.logger.error(`Could not read the DAG version to check its task deadlines: ${describe(error)}`, { dag_id: run.dagId, run_id: run.runId });
    }
  });
  await mapWithConcurrency(due, concurrency, async ({ run, ti, deadline }) => {
    const attributes = { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex, deadline: deadline.toISOString() };
    let marked: TaskInstanceRecord;
    try {
      marked = await deps.metastore.updateTaskInstance(ti, { deadlineAlertedAt: now }, { state: UNFINISHED_STATES, deadlineAlertedAt: null });
    } catch (error) {
      if (error instanceof ConflictError) return; // Finished meanwhile, or another tick alerted it.
      report.errors += 1;
      deps.logger.error(`Could not mark the task instance's missed deadline: ${describe(error)}`, attributes);
      return;
    }
    deps.logger.warn('Task instance missed its deadline', { ...attributes, state: marked.state, try_number: marked.tryNumber });
    report.alerted += 1;
    await dispatchDagCallback(deps, { run, event: 'deadline', reason: 'deadline_missed', deadlineAt: deadline, task: marked });
  });
  return report;
}
