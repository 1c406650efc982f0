import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { TaskInstanceState } from '../../core/model/states.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { withRelatives } from '../../core/scheduling/clearing.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import { RunFactsCache } from '../run-facts-cache.ts';
import { heartbeatConflictError } from './attempt-decisions.ts';
import { ForbiddenError, TaskInstanceNotFoundError } from './errors.ts';
import { assertTokenForTaskInstance, staleAttemptError } from './token-scope.ts';

/** One task instance to skip: a task id (unmapped, map index -1) or a task id and map index. */
export type SkipTarget = string | readonly [string, number];

export interface SkipDownstreamRequest {
  tasks: readonly SkipTarget[];
}

/** What the call did: the instances it skipped, and those it left because they had already moved on. */
export interface SkipDownstreamResult {
  skipped: TaskInstanceKey[];
  unchanged: Array<TaskInstanceKey & { state: TaskInstanceState }>;
}

export interface SkipDownstreamDeps {
  metastore: Metastore;
  clock: Clock;
  logger: Logger;
  dagVersions: DagVersionCache;
  runFacts?: RunFactsCache;
}

/** Only an instance that has not started may be skipped; one already skipped is a repeated call. */
const SKIPPABLE_STATES: readonly TaskInstanceState[] = ['none', 'scheduled'];

/**
 * Airflow 3's `PATCH /task-instances/{id}/skip-downstream`: a branching task (branch, short circuit,
 * latest only) marks task instances of its own run `skipped` before it reports success, and the fast
 * path that follows its finish carries the skips down. Unlike Airflow, which updates the named rows
 * unconditionally, only tasks downstream of the caller may be named, only the running attempt may
 * call, and each write is conditional on the instance not having started.
 */
export class SkipDownstreamService {
  private readonly runs: RunFactsCache;

  constructor(private readonly deps: SkipDownstreamDeps) {
    this.runs = deps.runFacts ?? new RunFactsCache(deps.metastore);
  }

  async skipDownstream(token: TaskAttemptKey, target: TaskInstanceKey, request: SkipDownstreamRequest): Promise<SkipDownstreamResult> {
    assertTokenForTaskInstance(token, target);
    const caller = await this.deps.metastore.getTaskInstance(token);
    if (!caller) throw new TaskInstanceNotFoundError(`The task instance ${formatTaskInstanceKey(token)} does not exist; check whether its run was deleted.`);
    if (caller.tryNumber !== token.tryNumber) throw staleAttemptError(token, caller.tryNumber);
    if (caller.state !== 'running') throw heartbeatConflictError(caller, { ...token, workerId: caller.workerId ?? '' });

    const run = await this.runs.get(token);
    if (!run) throw new NotFoundError(`The DAG run ${token.dagId}/${token.runId} does not exist; it may have been deleted.`);
    const version = await this.deps.dagVersions.get(run.dagId, run.versionId);
    const keys = request.tasks.map((item) => keyOf(token, item));
    assertDownstream(version.serialized, token.taskId, keys);

    const now = this.deps.clock.now();
    const result: SkipDownstreamResult = { skipped: [], unchanged: [] };
    await Promise.all(
      dedupe(keys).map(async (key) => {
        const outcome = await this.skipOne(key, now);
        if (outcome === 'skipped') result.skipped.push(key);
        else if (outcome !== null) result.unchanged.push({ ...key, state: outcome });
      }),
    );
    this.deps.logger.info('Skipped downstream task instances', {
      dag_id: token.dagId,
      run_id: token.runId,
      task_id: token.taskId,
      try_number: token.tryNumber,
      skipped: result.skipped.map((key) => key.taskId),
      ...(result.unchanged.length > 0 ? { unchanged: result.unchanged.map((key) => `${key.taskId}:${key.state}`) } : {}),
    });
    return result;
  }

  /** 'skipped' when this write or an earlier one skipped it; the state it is in otherwise; null when absent. */
  private async skipOne(key: TaskInstanceKey, now: Date): Promise<'skipped' | TaskInstanceState | null> {
    try {
      await this.deps.metastore.updateTaskInstance(key, { state: 'skipped', startDate: now, endDate: now }, { state: SKIPPABLE_STATES });
      return 'skipped';
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = error.current === undefined ? await this.deps.metastore.getTaskInstance(key) : (error.current as TaskInstanceRecord | null);
      // A task instance not created yet (the run's tasks changed) has nothing to skip.
      if (!current) return null;
      // Already skipped: a repeated call (or another branch) did it; the effect is in place.
      return current.state === 'skipped' ? 'skipped' : current.state;
    }
  }
}

function keyOf(token: TaskAttemptKey, item: SkipTarget): TaskInstanceKey {
  const [taskId, mapIndex] = typeof item === 'string' ? [item, -1] : item;
  return { dagId: token.dagId, runId: token.runId, taskId, mapIndex };
}

function dedupe(keys: readonly TaskInstanceKey[]): TaskInstanceKey[] {
  const seen = new Map<string, TaskInstanceKey>();
  for (const key of keys) seen.set(`${key.taskId}\u0000${key.mapIndex}`, key);
  return [...seen.values()];
}

/** Refuses, naming them, tasks the caller has no path to: a task may only skip what runs after it. */
function assertDownstream(dag: SerializedDag, callerTaskId: string, keys: readonly TaskInstanceKey[]): void {
  const downstream = withRelatives(dag, [callerTaskId], { upstream: false, downstream: true });
  downstream.delete(callerTaskId);
  const refused = [...new Set(keys.map((key) => key.taskId).filter((taskId) => !downstream.has(taskId)))];
  if (refused.length > 0) {
    throw new ForbiddenError(
      `Task "${callerTaskId}" may only skip tasks downstream of it in its DAG version; ${refused.map((id) => `"${id}"`).join(', ')} ` +
        `${refused.length === 1 ? 'is' : 'are'} not. Return only ids of tasks that run after "${callerTaskId}".`,
    );
  }
}
