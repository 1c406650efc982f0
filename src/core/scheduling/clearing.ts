import { noAttemptFields, type DagRunRecord, type TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import { FINISHED_DAG_RUN_STATES, type TaskInstanceState } from '../model/states.ts';
import type { DagRunChanges, TaskInstanceChanges } from '../ports/metastore.ts';
import { setupAndTeardownRelatives } from './setup-teardown-relatives.ts';
import { isMappedTask, taskMap } from './mapping.ts';

/**
 * Clearing and marking task instances, as Airflow's `DAG.clear` / `clear_task_instances` and
 * `set_state` decide them: pure functions over a run's task instances and its serialized DAG. The
 * service (src/services/clearing) applies what these decide, each write conditional on the state read.
 */

/** Airflow's `only_failed`: the states a failure leaves behind. */
export const FAILED_STATES: ReadonlySet<TaskInstanceState> = new Set(['failed', 'upstream_failed']);

/** States in which an attempt may hold a worker that must be told to stop. */
export const ATTEMPT_ACTIVE_STATES: ReadonlySet<TaskInstanceState> = new Set(['queued', 'running']);

export interface RelativeOptions {
  upstream: boolean;
  downstream: boolean;
}

/**
 * The given tasks and, transitively, their upstream and/or downstream tasks (Airflow's
 * `partial_subset(include_upstream, include_downstream)`). Unknown ids are kept: they may name task
 * instances of tasks removed from the DAG since.
 */
export function withRelatives(dag: SerializedDag, taskIds: Iterable<string>, options: RelativeOptions): Set<string> {
  const byId = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const downstreamOf = new Map<string, string[]>();
  for (const task of dag.tasks) {
    for (const up of task.upstreamTaskIds) downstreamOf.set(up, [...(downstreamOf.get(up) ?? []), task.taskId]);
  }
  const result = new Set(taskIds);
  // A visited set per walk: a task reached by another walk still has relatives this walk must follow.
  const walk = (start: string, next: (id: string) => readonly string[]) => {
    const visited = new Set<string>();
    const stack = [...next(start)];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (visited.has(id)) continue;
      visited.add(id);
      result.add(id);
      stack.push(...next(id));
    }
  };
  for (const id of [...result]) {
    if (options.upstream) walk(id, (t) => byId.get(t)?.upstreamTaskIds ?? []);
    if (options.downstream) walk(id, (t) => downstreamOf.get(t) ?? []);
  }
  return result;
}

/** Direct downstream task ids of each task (what holds a task in its `succeededUpstreams`). */
export function directDownstreams(dag: SerializedDag, taskId: string): string[] {
  return dag.tasks.filter((task) => task.upstreamTaskIds.includes(taskId)).map((task) => task.taskId);
}

export interface ClearSelection {
  /** null: every task of the DAG. */
  taskIds: readonly string[] | null;
  onlyFailed: boolean;
  onlyRunning: boolean;
  includeUpstream: boolean;
  includeDownstream: boolean;
  /** Tasks never cleared even when selected (Airflow's `exclude_task_ids`). */
  excludeTaskIds?: readonly string[];
  /**
   * Tasks named only at some map indexes (Airflow's `[task_id, map_index]` entries): just those
   * instances of the task are cleared; its relatives are cleared whole.
   */
  mapIndexes?: ReadonlyMap<string, readonly number[]>;
}

/** The task instances of one run that a clear with these options touches, in task order. */
export function selectInstancesToClear(dag: SerializedDag, tis: readonly TaskInstanceRecord[], selection: ClearSelection): TaskInstanceRecord[] {
  const relativeOptions = { upstream: selection.includeUpstream, downstream: selection.includeDownstream };
  // Setups and teardowns come along, as Airflow's partial_subset: work never re-runs without its setup.
  const wanted =
    selection.taskIds === null
      ? null
      : new Set([
          ...withRelatives(dag, selection.taskIds, relativeOptions),
          ...setupAndTeardownRelatives(dag, selection.taskIds, relativeOptions),
        ]);
  const excluded = new Set(selection.excludeTaskIds ?? []);
  return sortByTaskOrder(
    dag,
    tis.filter((ti) => {
      if (wanted !== null && !wanted.has(ti.taskId)) return false;
      if (excluded.has(ti.taskId)) return false;
      const indexes = selection.mapIndexes?.get(ti.taskId);
      if (indexes !== undefined && !indexes.includes(ti.mapIndex)) return false;
      if (selection.onlyFailed && !FAILED_STATES.has(ti.state)) return false;
      if (selection.onlyRunning && ti.state !== 'running') return false;
      return true;
    }),
  );
}

/**
 * What clearing does to one task instance: back to no state (a mapped task's placeholder too, so the
 * task is expanded again from its lists as they are then, as Airflow re-expands a cleared task), the try number kept (the next attempt is
 * try + 1), and room for the task's retries again. Airflow sets `max_tries = try_number + retries` where
 * its max_tries counts retries; Updraft's `maxTries` counts tries, hence the + 1. When the task is gone
 * from the DAG, it keeps at least the tries already made (Airflow's `max(max_tries, try_number)`).
 */
export function clearedInstanceChanges(ti: TaskInstanceRecord, task: SerializedTask | undefined): TaskInstanceChanges {
  return {
    state: 'none',
    maxTries: task ? ti.tryNumber + task.retries + 1 : Math.max(ti.maxTries, ti.tryNumber),
    ...noAttemptFields(),
    // Cleared work is due again, so its deadline may alert again (null removes the mark).
    deadlineAlertedAt: null,
  };
}

/**
 * A run with cleared task instances runs again: a finished run goes back to queued (Airflow's
 * `dag_run_state=QUEUED`, with its start date reset) and the tick starts it within its DAG's
 * `maxActiveRuns`; a queued or running run is left as it is. null: nothing to change.
 */
export function runChangesAfterClear(run: Pick<DagRunRecord, 'state'>): DagRunChanges | null {
  if (!FINISHED_DAG_RUN_STATES.has(run.state)) return null;
  return { state: 'queued', startDate: null, endDate: null };
}

/** The states a user may mark a task instance with (Airflow's `PatchTaskInstanceBody.new_state`). */
export const MARKABLE_STATES = ['success', 'failed', 'skipped'] as const;
export type MarkableState = (typeof MARKABLE_STATES)[number];

export interface MarkSelection {
  taskId: string;
  /** null: every map index of the task. */
  mapIndex: number | null;
  newState: MarkableState;
  includeUpstream: boolean;
  includeDownstream: boolean;
}

/**
 * The task instances of one run that Airflow's `set_state` marks: the task (and its relatives when
 * asked), leaving out those already in the new state.
 */
export function selectInstancesToMark(dag: SerializedDag, tis: readonly TaskInstanceRecord[], selection: MarkSelection): TaskInstanceRecord[] {
  const relatives = withRelatives(dag, [selection.taskId], {
    upstream: selection.includeUpstream,
    downstream: selection.includeDownstream,
  });
  return sortByTaskOrder(
    dag,
    tis.filter((ti) => {
      if (!relatives.has(ti.taskId) || ti.state === selection.newState) return false;
      // An expanded mapped task's placeholder stays removed: marking the task marks its instances.
      if (ti.mapIndex < 0 && ti.state === 'removed' && isMappedTask(taskMap(dag).get(ti.taskId) ?? {})) return false;
      // The map index narrows the task itself only; relatives are marked whole, as in Airflow.
      return !(ti.taskId === selection.taskId && selection.mapIndex !== null && ti.mapIndex !== selection.mapIndex);
    }),
  );
}

/** What marking does: the state, an end date, and no worker (its finish call then loses the race). */
export function markedInstanceChanges(ti: TaskInstanceRecord, newState: MarkableState, now: Date): TaskInstanceChanges {
  return {
    state: newState,
    startDate: ti.startDate ?? now,
    endDate: now,
    nextRetryAt: null,
    rescheduleDate: null,
    trigger: null,
    triggerTimeout: null,
    workerId: null,
  };
}

function sortByTaskOrder(dag: SerializedDag, tis: TaskInstanceRecord[]): TaskInstanceRecord[] {
  const order = new Map(dag.tasks.map((task, index) => [task.taskId, index]));
  const position = (ti: TaskInstanceRecord) => order.get(ti.taskId) ?? Number.MAX_SAFE_INTEGER;
  return [...tis].sort((a, b) => position(a) - position(b) || a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex);
}
