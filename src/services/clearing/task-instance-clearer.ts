import { ConflictError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore, TaskInstanceChanges } from '../../core/ports/metastore.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import {
  ATTEMPT_ACTIVE_STATES,
  clearedInstanceChanges,
  directDownstreams,
  markedInstanceChanges,
  runChangesAfterClear,
  selectInstancesToClear,
  selectInstancesToMark,
  type ClearSelection,
  type MarkSelection,
} from '../../core/scheduling/clearing.ts';
import { XComValues } from '../execution/xcom-values.ts';

export interface ClearingDeps {
  metastore: Metastore;
  objectStore: ObjectStore;
  clock: Clock;
  logger: Logger;
  /** Where running attempts are stopped; absent, a stopped-by-clear attempt ends at its next heartbeat. */
  executors?: ExecutorRegistry;
}

export interface ClearRequest {
  runs: readonly DagRunRecord[];
  selection: ClearSelection;
  /** Answer what would be cleared, change nothing (Airflow's default for the REST API). */
  dryRun: boolean;
  /** Put finished runs with cleared instances back to queued (Airflow's `reset_dag_runs`). */
  resetDagRuns: boolean;
}

export interface MarkRequest {
  run: DagRunRecord;
  selection: MarkSelection;
  dryRun: boolean;
}

/** A conditional write lost to another writer is decided again on the winner's record, a few times at most. */
const WRITE_ATTEMPTS = 3;

/**
 * Clears and marks task instances (Airflow's `clear_task_instances` and `set_state`). Every write is
 * conditional on the state read; a lost race is decided again on the current record, so a concurrent
 * scheduler pass or worker finish never gets overwritten blindly. Attempts that may hold a worker are
 * stopped through their executor after the write, so their finish call loses rather than wins.
 */
export class TaskInstanceClearer {
  private readonly xcoms: XComValues;

  constructor(private readonly deps: ClearingDeps) {
    this.xcoms = new XComValues(deps);
  }

  /** Answers the task instances cleared (as they are now), or, on a dry run, those that would be. */
  async clear(request: ClearRequest): Promise<TaskInstanceRecord[]> {
    const answered: TaskInstanceRecord[] = [];
    for (const run of request.runs) {
      const dag = await this.dagOf(run);
      const tis = await this.deps.metastore.listTaskInstances(run);
      const selected = selectInstancesToClear(dag, tis, request.selection);
      if (request.dryRun) {
        answered.push(...selected);
        continue;
      }
      const cleared = await this.clearSelected(run, dag, selected, (ti) => selectInstancesToClear(dag, [ti], request.selection).length > 0);
      answered.push(...cleared);
      if (cleared.length > 0 && request.resetDagRuns) await this.resetRun(run);
    }
    return answered;
  }

  /**
   * Marks the task instances; then, as Airflow's `set_task_instance_state` does, clears the failed and
   * upstream-failed instances downstream of the task so they run again (the run resumes).
   */
  async mark(request: MarkRequest): Promise<TaskInstanceRecord[]> {
    const { run, selection } = request;
    const dag = await this.dagOf(run);
    const selected = selectInstancesToMark(dag, await this.deps.metastore.listTaskInstances(run), selection);
    if (request.dryRun) return selected;
    const now = this.deps.clock.now();
    const marked: TaskInstanceRecord[] = [];
    for (const ti of selected) {
      const record = await this.writeDecided(ti, (current) =>
        current.state === selection.newState ? null : markedInstanceChanges(current, selection.newState, now),
      );
      if (record) marked.push(record);
    }
    const markedIds = [...new Set(marked.map((ti) => ti.taskId))];
    await this.clear({
      runs: [run],
      selection: {
        taskIds: [selection.taskId],
        includeDownstream: true,
        includeUpstream: false,
        onlyFailed: true,
        onlyRunning: false,
        excludeTaskIds: [selection.taskId, ...markedIds],
      },
      dryRun: false,
      resetDagRuns: true,
    });
    return marked;
  }

  private async clearSelected(
    run: DagRunRecord,
    dag: SerializedDag,
    selected: readonly TaskInstanceRecord[],
    stillSelected: (ti: TaskInstanceRecord) => boolean,
  ): Promise<TaskInstanceRecord[]> {
    const tasks = new Map(dag.tasks.map((task) => [task.taskId, task]));
    const cleared: TaskInstanceRecord[] = [];
    for (const ti of selected) {
      const record = await this.writeDecided(ti, (current) =>
        stillSelected(current) ? clearedInstanceChanges(current, tasks.get(current.taskId)) : null,
      );
      if (!record) continue;
      cleared.push(record);
      // A new try must not see the outputs of the cleared one (Airflow deletes them too).
      await this.xcoms.clear(ti);
    }
    await this.forgetClearedSuccesses(run, dag, cleared);
    if (cleared.length > 0) {
      this.deps.logger.info(`Cleared ${cleared.length} task instance(s)`, {
        dag_id: run.dagId,
        run_id: run.runId,
        task_ids: cleared.map((ti) => ti.taskId),
      });
    }
    return cleared;
  }

  /**
   * Writes what `decide` answers for the record, conditional on its state and try; on a lost race decides
   * again on the current record. Stops the attempt the old record held, if it may hold one.
   */
  private async writeDecided(
    ti: TaskInstanceRecord,
    decide: (current: TaskInstanceRecord) => TaskInstanceChanges | null,
  ): Promise<TaskInstanceRecord | null> {
    let current: TaskInstanceRecord | null = ti;
    for (let attempt = 1; current && attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const changes = decide(current);
      if (!changes) return null;
      try {
        const written = await this.deps.metastore.updateTaskInstance(current, changes, {
          state: current.state,
          tryNumber: current.tryNumber,
        });
        if (ATTEMPT_ACTIVE_STATES.has(current.state)) await this.stopAttempt(current, `its task instance was set to ${written.state}`);
        return written;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        current = (error.current as TaskInstanceRecord | null | undefined) ?? (await this.deps.metastore.getTaskInstance(current));
      }
    }
    if (current) {
      throw new ConflictError(
        `Task instance ${formatTaskInstanceKey(ti)} kept changing while it was being updated; try the request again.`,
        current,
      );
    }
    return null;
  }

  private async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    const executors = this.deps.executors;
    if (!executors || !executors.has(ti.executor ?? executors.defaultName)) return;
    try {
      await executors.resolve(ti.executor).stopAttempt(ti, reason);
    } catch (error) {
      // The state is written: the attempt's next heartbeat or finish is refused, so it ends anyway.
      this.deps.logger.warn(`Could not stop the attempt of ${formatTaskInstanceKey(ti)}: ${(error as Error).message}`, {
        dag_id: ti.dagId,
        run_id: ti.runId,
        task_id: ti.taskId,
        try_number: ti.tryNumber,
      });
    }
  }

  /** A cleared task's earlier success no longer counts towards its downstream joins (see the fast path). */
  private async forgetClearedSuccesses(run: DagRunRecord, dag: SerializedDag, cleared: readonly TaskInstanceRecord[]): Promise<void> {
    const byDownstream = new Map<string, Set<string>>();
    for (const ti of cleared) {
      for (const downstream of directDownstreams(dag, ti.taskId)) {
        byDownstream.set(downstream, (byDownstream.get(downstream) ?? new Set()).add(ti.taskId));
      }
    }
    await Promise.all(
      [...byDownstream].map(([taskId, upstreams]) => {
        const key: TaskInstanceKey = { dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1 };
        return this.deps.metastore.forgetSucceededUpstreams(key, [...upstreams]);
      }),
    );
  }

  private async resetRun(run: DagRunRecord): Promise<void> {
    let current: DagRunRecord | null = run;
    for (let attempt = 1; current && attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const changes = runChangesAfterClear(current);
      if (!changes) return;
      try {
        await this.deps.metastore.updateDagRun(current, changes, { state: current.state });
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        current = await this.deps.metastore.getDagRun(run);
      }
    }
  }

  private async dagOf(run: DagRunRecord): Promise<SerializedDag> {
    const version = await this.deps.metastore.getDagVersion(run.dagId, run.versionId);
    if (version) return version.serialized;
    const dag = await this.deps.metastore.getDag(run.dagId);
    const latest = dag ? await this.deps.metastore.getDagVersion(run.dagId, dag.latestVersionId) : null;
    if (!latest) {
      throw new ConflictError(
        `DAG run ${run.dagId}/${run.runId} names DAG version ${run.versionId}, which is not stored, and the DAG has no other ` +
          'version: upload the DAG file again so its tasks are known.',
        null,
      );
    }
    return latest.serialized;
  }
}
