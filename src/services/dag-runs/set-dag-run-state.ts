import { ConflictError } from '../../core/errors.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import { FINISHED_TASK_STATES, type TaskInstanceState } from '../../core/model/states.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ExecutorRegistry } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { ATTEMPT_ACTIVE_STATES, markedInstanceChanges, type MarkableState } from '../../core/scheduling/clearing.ts';

export interface SetDagRunStateDeps {
  metastore: Metastore;
  clock: Clock;
  logger: Logger;
  /** Where attempts of instances marked finished are stopped; absent, they end at their next heartbeat. */
  executors?: ExecutorRegistry;
}

/** The states a user may set a run to (Airflow's DAGRunPatchStates). */
export type SettableDagRunState = 'queued' | 'success' | 'failed';

/** Attempts Airflow's set_dag_run_state_to_failed marks failed; the other unfinished instances are skipped. */
const RUNNING_STATES: ReadonlySet<TaskInstanceState> = new Set(['running', 'deferred', 'up_for_reschedule']);

const WRITE_ATTEMPTS = 3;

/**
 * Sets a run's state as Airflow's `set_dag_run_state_to_*` does. Success marks every unfinished task
 * instance success; failed marks the running ones failed and skips the ones that have not run; queued
 * changes only the run, which the scheduler then starts again. Every write is conditional on the state
 * read, and a lost race is decided again on the current record.
 */
export async function setDagRunState(deps: SetDagRunStateDeps, run: DagRunRecord, state: SettableDagRunState): Promise<DagRunRecord> {
  const now = deps.clock.now();
  if (state !== 'queued') {
    for (const ti of await deps.metastore.listTaskInstances(run)) {
      await markInstance(deps, ti, (current) => targetStateOnRunEnd(current.state, state), now);
    }
  }
  let current: DagRunRecord | null = run;
  for (let attempt = 1; current && attempt <= WRITE_ATTEMPTS; attempt += 1) {
    if (current.state === state) return current;
    const changes =
      state === 'queued' ? { state, queuedAt: now, startDate: null, endDate: null } : { state, startDate: current.startDate ?? now, endDate: now };
    try {
      const written = await deps.metastore.updateDagRun(current, changes, { state: current.state });
      deps.logger.info(`DAG run set to ${state}`, { dag_id: run.dagId, run_id: run.runId });
      return written;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = (error.current as DagRunRecord | null | undefined) ?? (await deps.metastore.getDagRun(run));
    }
  }
  if (!current) throw new ConflictError(`DAG run ${run.dagId}/${run.runId} was deleted while its state was being set.`, null);
  throw new ConflictError(`DAG run ${run.dagId}/${run.runId} kept changing while its state was being set; try the request again.`, current);
}

/** What an unfinished instance becomes when its run is marked success or failed (null: left alone). */
export function targetStateOnRunEnd(tiState: TaskInstanceState, runState: 'success' | 'failed'): MarkableState | null {
  if (FINISHED_TASK_STATES.has(tiState)) return null;
  if (runState === 'success') return 'success';
  return RUNNING_STATES.has(tiState) ? 'failed' : 'skipped';
}

async function markInstance(
  deps: SetDagRunStateDeps,
  ti: TaskInstanceRecord,
  decide: (current: TaskInstanceRecord) => MarkableState | null,
  now: Date,
): Promise<void> {
  let current: TaskInstanceRecord | null = ti;
  for (let attempt = 1; current && attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const target = decide(current);
    if (target === null) return;
    try {
      await deps.metastore.updateTaskInstance(current, markedInstanceChanges(current, target, now), {
        state: current.state,
        tryNumber: current.tryNumber,
      });
      if (ATTEMPT_ACTIVE_STATES.has(current.state)) await stopAttempt(deps, current, `its DAG run was marked ${target === 'success' ? 'success' : 'failed'}`);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = (error.current as TaskInstanceRecord | null | undefined) ?? (await deps.metastore.getTaskInstance(current));
    }
  }
  if (current) {
    throw new ConflictError(`Task instance ${formatTaskInstanceKey(ti)} kept changing while its run was being marked; try the request again.`, current);
  }
}

async function stopAttempt(deps: SetDagRunStateDeps, ti: TaskInstanceRecord, reason: string): Promise<void> {
  const executors = deps.executors;
  if (!executors || !executors.has(ti.executor ?? executors.defaultName)) return;
  try {
    await executors.resolve(ti.executor).stopAttempt(ti, reason);
  } catch (error) {
    // The state is written: the attempt's next heartbeat or finish call is refused, so it ends anyway.
    deps.logger.warn(`Could not stop the attempt of ${formatTaskInstanceKey(ti)}: ${(error as Error).message}`, {
      dag_id: ti.dagId,
      run_id: ti.runId,
      task_id: ti.taskId,
      try_number: ti.tryNumber,
    });
  }
}
