import type { DagRunRecord, TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import type { DagRunType, TaskInstanceState } from '../model/states.ts';
import { DAG_RUN_TYPES } from '../model/states.ts';
import { RunInstances } from './run-instances.ts';

/**
 * The run a task with `dependsOnPast` looks back at: the DAG's run just before the one being
 * scheduled, by logical date, with its task instances.
 */
export interface PreviousRun {
  run: Pick<DagRunRecord, 'runId' | 'logicalDate'>;
  tis: readonly TaskInstanceRecord[];
}

export type PastDependency = { met: true } | { met: false; reason: string };

/** Airflow's `_SUCCESSFUL_STATES` for past dependencies: anything else, unfinished included, holds the task. */
const PAST_OK: ReadonlySet<TaskInstanceState> = new Set(['success', 'skipped']);

export function dependsOnPast(task: Pick<SerializedTask, 'dependsOnPast' | 'waitForDownstream'>): boolean {
  return task.dependsOnPast === true || task.waitForDownstream === true;
}

/** Whether scheduling the DAG's runs needs the previous run at all (the common case: no). */
export function dagDependsOnPast(dag: SerializedDag): boolean {
  return dag.tasks.some(dependsOnPast);
}

/**
 * Which earlier runs count as "the previous run" (Airflow's PrevDagrunDep): with catchup, the latest
 * earlier run that is not manual (`get_previous_scheduled_dagrun`); without, the latest earlier run of
 * any type (`get_previous_dagrun`). "Earlier" is a strictly smaller logical date.
 */
export function previousRunQuery(
  dag: Pick<SerializedDag, 'catchup'>,
  run: Pick<DagRunRecord, 'logicalDate'>,
): { logicalDateBefore: Date; runTypes?: DagRunType[] } {
  if (!dag.catchup) return { logicalDateBefore: run.logicalDate };
  return { logicalDateBefore: run.logicalDate, runTypes: DAG_RUN_TYPES.filter((type) => type !== 'manual') };
}

/**
 * Whether a task's past dependency lets its instance start now. The first run (no previous run) and a
 * previous run where the task had no instance (it was added since, or removed then) do not hold it
 * back. Otherwise every instance of the task in the previous run must have succeeded or been skipped,
 * and with `waitForDownstream` every instance of its direct downstream tasks there too.
 */
export function checkPastDependency(
  task: SerializedTask,
  downstreamTaskIds: readonly string[],
  previous: PreviousRun | null,
  mapIndex = -1,
): PastDependency {
  if (!dependsOnPast(task)) return { met: true };
  if (previous === null) return { met: true };
  // A mapped instance looks at the instance with its own map index, as Airflow's PrevDagrunDep does.
  const present = previous.tis.filter(
    (ti) => ti.taskId === task.taskId && ti.state !== 'removed' && (mapIndex < 0 || ti.mapIndex === mapIndex),
  );
  if (present.length === 0) return { met: true };
  const pending = present.find((ti) => !PAST_OK.has(ti.state));
  if (pending) {
    return {
      met: false,
      reason: `dependsOnPast: its instance in the previous run ${previous.run.runId} is ${pending.state}, not success or skipped`,
    };
  }
  if (task.waitForDownstream === true && downstreamTaskIds.length > 0) {
    const downstream = new Set(downstreamTaskIds);
    const waiting = previous.tis.find((ti) => downstream.has(ti.taskId) && ti.state !== 'removed' && !PAST_OK.has(ti.state));
    if (waiting) {
      return {
        met: false,
        reason: `waitForDownstream: downstream task ${waiting.taskId} in the previous run ${previous.run.runId} is ${waiting.state}, not success or skipped`,
      };
    }
  }
  return { met: true };
}

/**
 * Planning's entry: `previous` is the previous run, null when there is none, and undefined when the
 * caller did not look it up; a task that depends on the past then waits rather than guess.
 */
export function pastDependencyOf(
  dag: SerializedDag,
  task: SerializedTask,
  previous: PreviousRun | null | undefined,
  mapIndex = -1,
): PastDependency {
  if (!dependsOnPast(task)) return { met: true };
  if (previous === undefined) return { met: false, reason: 'dependsOnPast: the previous run was not looked up' };
  const downstream = task.waitForDownstream === true
    ? dag.tasks.filter((t) => t.upstreamTaskIds.includes(task.taskId)).map((t) => t.taskId)
    : [];
  return checkPastDependency(task, downstream, previous, mapIndex);
}

/**
 * Whether planning these instances needs the previous run now: some task with dependsOnPast is still
 * in `none` and its trigger rule is met. Until then the scheduler reads nothing.
 */
export function needsPreviousRun(
  dag: SerializedDag,
  pastTasks: readonly SerializedTask[],
  tis: readonly TaskInstanceRecord[],
): boolean {
  if (pastTasks.length === 0) return false;
  const index = new RunInstances(dag, tis);
  // The same evaluation as planning's, so the two never disagree.
  return pastTasks.some((task) => index.ruleInstances(task).some((ti) => ti.state === 'none' && index.evaluate(task, ti) === 'ready'));
}
