import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import { DAG_CALLBACK_TOKEN_TASK_ID, type DagCallbackEvent, type RunDagCallbackWorkload } from '../../core/model/workload.ts';
import { dagCallbackSenderOf } from '../../core/ports/dag-callback-sender.ts';
import type { SchedulerDeps } from './settings.ts';
import { describe } from './transition-applier.ts';

/**
 * How long a callback's token lets it read variables and connections: it may wait in the queue behind
 * a burst of tasks, then run for its own time limit.
 */
export const DAG_CALLBACK_TOKEN_SECONDS = 3600;

export type DagCallbackDispatchDeps = Pick<SchedulerDeps, 'executors' | 'tokens' | 'logger' | 'clock' | 'dagVersions'>;

export interface DagCallbackRequest {
  /** The run as the write that ended it (or marked its deadline) left it. */
  run: DagRunRecord;
  event: DagCallbackEvent;
  reason: string;
  deadlineAt?: Date;
  /** For a task's deadline: the instance as the write that marked it left it. */
  task?: Pick<TaskInstanceRecord, 'taskId' | 'mapIndex' | 'tryNumber' | 'state'>;
}

/**
 * Sends one DAG-run callback to a worker. Callers send it only after their own conditional write
 * moved the run (to its final state, or to "deadline alerted"), so a transition sends it once; the
 * queue then delivers it at least once. Nothing here throws: a callback that could not be sent is
 * logged and the run's state stays as it is (Airflow's callbacks never change it either).
 */
export async function dispatchDagCallback(deps: DagCallbackDispatchDeps, request: DagCallbackRequest): Promise<boolean> {
  const { run, event, task } = request;
  const attributes = { dag_id: run.dagId, run_id: run.runId, event, ...(task ? { task_id: task.taskId, map_index: task.mapIndex } : {}) };
  const whose = task ? `task "${task.taskId}"${task.mapIndex >= 0 ? ` [${task.mapIndex}]` : ''}'s` : `DAG run's`;
  const sender = dagCallbackSenderOf(deps.executors.all);
  if (!sender) {
    deps.logger.error(
      `${task ? `Task "${task.taskId}" of DAG "${run.dagId}"` : `DAG "${run.dagId}"`} has ${event} callbacks, but no configured executor can run them (${deps.executors.names.join(', ')}); ` +
        'add the lambda executor (or local, locally) to core.executor. The callback was not run.',
      attributes,
    );
    return false;
  }
  try {
    const version = await deps.dagVersions.get(run.dagId, run.versionId);
    const workload: RunDagCallbackWorkload = {
      kind: 'RunDagCallback',
      dagId: run.dagId,
      runId: run.runId,
      versionId: run.versionId,
      bundleKey: version.bundleKey,
      event,
      reason: request.reason,
      token: deps.tokens.issue(
        { dagId: run.dagId, runId: run.runId, taskId: DAG_CALLBACK_TOKEN_TASK_ID, mapIndex: -1, tryNumber: 1 },
        DAG_CALLBACK_TOKEN_SECONDS,
      ),
      run: {
        state: run.state,
        runType: run.runType,
        logicalDate: run.logicalDate.toISOString(),
        dataIntervalStart: run.dataInterval.start.toISOString(),
        dataIntervalEnd: run.dataInterval.end.toISOString(),
        queuedAt: run.queuedAt.toISOString(),
        startDate: run.startDate?.toISOString() ?? null,
        endDate: run.endDate?.toISOString() ?? null,
        conf: run.conf,
      },
      ...(request.deadlineAt ? { deadlineAt: request.deadlineAt.toISOString() } : {}),
      ...(task ? { task: { taskId: task.taskId, mapIndex: task.mapIndex, tryNumber: task.tryNumber, state: task.state } } : {}),
      sentAt: deps.clock.now().toISOString(),
    };
    await sender.sendDagCallback(workload);
    deps.logger.info(`Sent the ${whose} ${event} callback to executor "${sender.name}"`, attributes);
    return true;
  } catch (error) {
    deps.logger.error(`Could not send the ${whose} ${event} callback; it will not run: ${describe(error)}`, attributes);
    return false;
  }
}

/**
 * The run-end hook of RunScheduler.finishIfDone: sends the DAG's `onSuccess` / `onFailure` when the
 * serialized DAG says it has them (the scheduler never loads the bundle to find out).
 */
export async function dispatchRunEndCallback(
  deps: DagCallbackDispatchDeps,
  dag: SerializedDag,
  ended: DagRunRecord,
  reason: string | null,
): Promise<void> {
  const event = ended.state === 'success' ? 'success' : ended.state === 'failed' ? 'failure' : null;
  if (event === null || !dag.runCallbacks?.includes(event)) return;
  await dispatchDagCallback(deps, { run: ended, event, reason: reason ?? (event === 'success' ? 'success' : 'task_failure') });
}
