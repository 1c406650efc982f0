import type { DagRunRecord, TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import type { TaskInstanceCondition, TaskInstanceChanges } from '../ports/metastore.ts';
import { RunInstances } from './run-instances.ts';
import { isMappedTask, type MapLengthFact } from './mapping.ts';
import { decidePlaceholder, placeholderChanges } from './expansion-planning.ts';
import { canRetry, retryDelaySeconds } from './retry.ts';
import { awaitsDelayedDelivery } from './delayed-requeue.ts';
import { firedTimeTrigger, resumeKwargs } from './triggers.ts';
import { sensorDeferralTimeout } from './sensor-deferral-timeout.ts';
import { pastDependencyOf, type PreviousRun } from './depends-on-past.ts';
import { effectivePriorityWeight } from './priority-weights.ts';

export interface PlanningSettings {
  /** A running instance whose last heartbeat is older than this is presumed dead (Airflow: 300 s). */
  taskHeartbeatTimeoutSeconds: number;
  /** A queued instance older than this is sent again (Airflow's `task_queued_timeout`: 600 s). */
  taskQueuedTimeoutSeconds: number;
  /**
   * The runner enforces `executionTimeout` itself; the scheduler only steps in after this grace, for a
   * runner that could not (it crashed, or its Lambda was killed before it could report). Default 60 s.
   */
  executionTimeoutGraceSeconds?: number;
}

export const DEFAULT_EXECUTION_TIMEOUT_GRACE_SECONDS = 60;

/**
 * - `queue`: none/scheduled (trigger rule met) or up_for_retry (retry delay passed) → queued, next try;
 *   up_for_reschedule (reschedule date passed), or scheduled to resume a deferral → queued, same try.
 * - `succeed_empty`: an empty-operator task that is ready → success without an executor, as Airflow does.
 * - `skip` / `upstream_failed`: the trigger rule can never be met; `skip` also ends a softFail sensor
 *   deferred past its trigger timeout (a sensor without softFail then fails, not retried).
 * - `requeue`: stuck in queued → sent again with the same try.
 * - `retry` / `fail`: running, but its heartbeat stopped or it overran executionTimeout; or deferred
 *   past its trigger timeout. `fail` also ends a mapped task's placeholder whose list is not a list.
 * - `expand`: a mapped task's placeholder (map index -1) whose lists' lengths are known → removed (or
 *   skipped for an empty list); the caller creates instances 0..`expandTo`-1 before writing it.
 * - `remove`: a mapped instance past the length of a later expansion (after a clear) → removed.
 */
export type TransitionKind = 'queue' | 'succeed_empty' | 'skip' | 'upstream_failed' | 'requeue' | 'retry' | 'fail' | 'expand' | 'remove';

export interface TaskTransition {
  kind: TransitionKind;
  /** The instance as planning saw it. */
  ti: TaskInstanceRecord;
  task: SerializedTask;
  /** The write to make; `queue` and `requeue` leave the executor name to the caller, which resolves it. */
  changes: TaskInstanceChanges;
  /** The write's condition: the state (and try, and worker) planning saw, so a lost race changes nothing. */
  condition: TaskInstanceCondition;
  reason: string;
  /** For `expand`: how many mapped instances the task has (0: none, the placeholder is skipped). */
  expandTo?: number;
}

export interface PlanInput {
  dag: SerializedDag;
  run: DagRunRecord;
  tis: readonly TaskInstanceRecord[];
  now: Date;
  settings: PlanningSettings;
  /**
   * For tasks with dependsOnPast: the DAG's previous run and its task instances, null when this is the
   * first run. Left out, such tasks wait (the caller did not look); other tasks never need it.
   */
  previousRun?: PreviousRun | null;
  /**
   * Lengths of the upstream XComs unexpanded mapped tasks iterate over (`lengthFactsNeeded` names
   * them), keyed by `mapSourceKey`. A mapped task whose fact is missing waits.
   */
  lengthFacts?: ReadonlyMap<string, MapLengthFact>;
}

/**
 * Decides every task-instance transition of one run that is due now. Tasks are visited in the DAG's
 * topological order against a working copy of the states, so a skip, an upstream failure or an empty
 * task's success propagates down the whole graph in one plan.
 */
export function planTaskInstances(input: PlanInput): TaskTransition[] {
  const { dag, run, now, settings } = input;
  const working = new RunInstances(dag, input.tis);
  const finishing: TaskTransition[] = [];
  const queueing: Array<{ transition: TaskTransition; order: number }> = [];
  const ctx: PlanContext = { dag, run, now, settings, working, previousRun: input.previousRun, lengthFacts: input.lengthFacts ?? new Map() };

  dag.tasks.forEach((task, order) => {
    const mapped = isMappedTask(task);
    for (const ti of working.instancesOf(task.taskId)) {
      // Instances of an unexpanded (or re-expanding) mapped task wait for their placeholder's decision.
      if (mapped && ti.mapIndex >= 0 && !working.isExpanded(task.taskId)) continue;
      const planned = mapped && ti.mapIndex < 0 ? planPlaceholder(task, ti, ctx) : planOne(task, ti, ctx);
      for (const transition of planned === null ? [] : Array.isArray(planned) ? planned : [planned]) {
        // The expanded instances do not exist yet: downstream tasks keep waiting on the placeholder until
        // the caller has created them and planned again.
        if (transition.kind !== 'expand') working.set({ ...transition.ti, ...transition.changes });
        if (transition.kind === 'queue') queueing.push({ transition, order });
        else finishing.push(transition);
      }
    }
  });

  // The effective weight (weight rule applied), as Airflow orders by priority_weight_total.
  const weight = (q: { transition: TaskTransition }) => effectivePriorityWeight(dag, q.transition.task.taskId);
  queueing.sort((a, b) => weight(b) - weight(a) || a.order - b.order);
  // maxActiveTasks holds per run: planning offers no more than the run has room for, so a 10,000-wide
  // map costs a handful of slot acquires per pass, not 10,000 refused ones. (The leases still decide.)
  const active = input.tis.filter((ti) => ti.state === 'queued' || ti.state === 'running').length;
  const room = Math.max(0, dag.maxActiveTasks - active);
  return [...finishing, ...queueing.slice(0, room).map((q) => q.transition)];
}

/**
 * A mapped task's placeholder: expand it once its lists' lengths are known (and remove instances a
 * shorter re-expansion leaves over), or end it when they never will be.
 */
function planPlaceholder(task: SerializedTask, ti: TaskInstanceRecord, ctx: PlanContext): TaskTransition | TaskTransition[] | null {
  if (ti.state !== 'none') return null;
  const decision = decidePlaceholder(ctx.dag, task, ctx.working, ctx.lengthFacts);
  if (decision.kind === 'wait') return null;
  const { changes, condition } = placeholderChanges(decision, ti, ctx.now);
  if (decision.kind !== 'expand') return { kind: decision.kind, ti, task, changes, condition, reason: decision.reason };
  const leftOver = ctx.working
    .instancesOf(task.taskId)
    .filter((mapped: TaskInstanceRecord) => mapped.mapIndex >= decision.count && mapped.state !== 'removed')
    .map((mapped): TaskTransition => ({
      kind: 'remove',
      ti: mapped,
      task,
      changes: { state: 'removed', endDate: ctx.now },
      condition: { state: mapped.state, tryNumber: mapped.tryNumber },
      reason: `the task is now mapped over ${decision.count} elements`,
    }));
  return [...leftOver, { kind: 'expand', ti, task, changes, condition, reason: decision.reason, expandTo: decision.count }];
}

interface PlanContext {
  dag: SerializedDag;
  run: DagRunRecord;
  now: Date;
  settings: PlanningSettings;
  working: RunInstances;
  previousRun?: PreviousRun | null | undefined;
  lengthFacts: ReadonlyMap<string, MapLengthFact>;
}

function planOne(task: SerializedTask, ti: TaskInstanceRecord, ctx: PlanContext): TaskTransition | null {
  const { now, settings } = ctx;
  const sameAttempt: TaskInstanceCondition = { state: ti.state, tryNumber: ti.tryNumber };
  switch (ti.state) {
    case 'none': {
      const outcome = ctx.working.evaluate(task, ti);
      if (outcome === 'waiting') return null;
      if (outcome === 'ready') {
        // Airflow does not count a task waiting on the past as deadlocked: it stays in none.
        if (!pastDependencyOf(ctx.dag, task, ctx.previousRun, ti.mapIndex).met) return null;
        return startTransition(task, ti, now, 'its trigger rule is met');
      }
      const state = outcome === 'skip' ? 'skipped' : 'upstream_failed';
      return {
        kind: outcome,
        ti,
        task,
        changes: { state, startDate: ti.startDate ?? now, endDate: now },
        condition: sameAttempt,
        reason: `trigger rule ${task.triggerRule} can no longer be met`,
      };
    }
    case 'scheduled':
      // Already past its dependencies (a queue attempt whose send failed was reverted to scheduled), or
      // a deferral's trigger fired and the same try resumes in its next method.
      if (ti.nextMethod !== null) return startTransition(task, ti, now, 'its trigger fired', { sameTry: true });
      return startTransition(task, ti, now, 'it was scheduled');
    case 'up_for_retry':
      if (ti.nextRetryAt && ti.nextRetryAt.getTime() > now.getTime()) return null;
      return startTransition(task, ti, now, 'its retry delay has passed');
    case 'up_for_reschedule':
      if (ti.rescheduleDate && ti.rescheduleDate.getTime() > now.getTime()) return null;
      // Already sent with a queue delay (delayed-requeue.ts): queue a copy only if it never started.
      if (awaitsDelayedDelivery(ti, now, settings.taskQueuedTimeoutSeconds)) return null;
      return startTransition(task, ti, now, 'its reschedule date has passed', { sameTry: true });
    case 'deferred': {
      if (ti.triggerTimeout !== null && ti.triggerTimeout.getTime() <= now.getTime()) {
        const reason = 'its trigger did not fire before the trigger timeout';
        return sensorDeferralTimeout(task, ti, now, reason) ?? failOrRetry(task, ti, ctx, { state: 'deferred', tryNumber: ti.tryNumber }, reason);
      }
      // Deferred without a trigger: a resume whose send to the executor failed was put back; resume again.
      if (ti.trigger === null) return startTransition(task, ti, now, 'its trigger fired', { sameTry: true });
      // A time trigger needs no triggerer: the scheduler fires it and the same try resumes with its event.
      const fired = firedTimeTrigger(ti.trigger, now);
      if (!fired) return null;
      return startTransition(task, ti, now, 'its time trigger fired', { sameTry: true, resumeKwargs: resumeKwargs(ti.nextKwargs, fired.payload) });
    }
    case 'queued': {
      const queuedAt = ti.queuedAt?.getTime() ?? 0;
      if (now.getTime() - queuedAt <= settings.taskQueuedTimeoutSeconds * 1000) return null;
      return {
        kind: 'requeue',
        ti,
        task,
        changes: { queuedAt: now },
        condition: sameAttempt,
        reason: `it was queued for more than ${settings.taskQueuedTimeoutSeconds}s without starting`,
      };
    }
    case 'running':
      return planRunning(task, ti, ctx);
    default:
      return null;
  }
}

/**
 * A new try, or (`sameTry`) the same try continuing after a reschedule or a deferral: Airflow does not
 * count those as tries, and the continuation (next method and its arguments) is kept for the runner.
 */
function startTransition(
  task: SerializedTask,
  ti: TaskInstanceRecord,
  now: Date,
  reason: string,
  options: { sameTry?: boolean; resumeKwargs?: Record<string, unknown> } = {},
): TaskTransition {
  const condition: TaskInstanceCondition = { state: ti.state, tryNumber: ti.tryNumber };
  const fresh: TaskInstanceChanges = {
    tryNumber: options.sameTry ? ti.tryNumber : ti.tryNumber + 1,
    nextRetryAt: null,
    rescheduleDate: null,
    trigger: null,
    triggerTimeout: null,
    workerId: null,
    externalExecutorId: null,
    lastHeartbeatAt: null,
    ...(options.sameTry ? {} : { nextMethod: null, nextKwargs: null }),
    // A new try's sensor timeout counts from its own first poke.
    ...(options.sameTry ? {} : { firstRescheduleDate: null }),
    ...(options.resumeKwargs ? { nextKwargs: options.resumeKwargs } : {}),
  };
  if (task.operator === 'empty') {
    return {
      kind: 'succeed_empty',
      ti,
      task,
      changes: { ...fresh, state: 'success', queuedAt: now, startDate: now, endDate: now },
      condition,
      reason: `${reason}; an empty task needs no worker`,
    };
  }
  return {
    kind: 'queue',
    ti,
    task,
    changes: { ...fresh, state: 'queued', queuedAt: now, startDate: null, endDate: null },
    condition,
    reason,
  };
}

function planRunning(task: SerializedTask, ti: TaskInstanceRecord, ctx: PlanContext): TaskTransition | null {
  const { now, settings } = ctx;
  const lastSign = (ti.lastHeartbeatAt ?? ti.startDate ?? ti.queuedAt)?.getTime() ?? 0;
  let reason: string | null = null;
  if (now.getTime() - lastSign > settings.taskHeartbeatTimeoutSeconds * 1000) {
    reason = `no heartbeat for more than ${settings.taskHeartbeatTimeoutSeconds}s`;
  } else if (task.executionTimeoutSeconds !== null && ti.startDate) {
    const grace = settings.executionTimeoutGraceSeconds ?? DEFAULT_EXECUTION_TIMEOUT_GRACE_SECONDS;
    if (now.getTime() - ti.startDate.getTime() > (task.executionTimeoutSeconds + grace) * 1000) {
      reason = `it ran longer than its executionTimeout of ${task.executionTimeoutSeconds}s`;
    }
  }
  if (reason === null) return null;
  return failOrRetry(task, ti, ctx, { state: 'running', tryNumber: ti.tryNumber, workerId: ti.workerId }, reason);
}

/**
 * The scheduler ends an attempt that cannot report itself: up_for_retry while tries are left, else
 * failed. `condition` names the state the decision was taken on.
 */
export function failOrRetry(
  task: SerializedTask,
  ti: TaskInstanceRecord,
  ctx: Pick<PlanContext, 'now' | 'run'>,
  condition: TaskInstanceCondition,
  reason: string,
): TaskTransition {
  const { now, run } = ctx;
  const parked = { trigger: null, triggerTimeout: null, nextMethod: null, nextKwargs: null };
  if (canRetry(ti.tryNumber, ti.maxTries)) {
    const delay = retryDelaySeconds(task, {
      dagId: ti.dagId,
      taskId: ti.taskId,
      runId: ti.runId,
      logicalDate: run.logicalDate,
      tryNumber: ti.tryNumber,
    });
    return {
      kind: 'retry',
      ti,
      task,
      changes: { ...parked, state: 'up_for_retry', endDate: now, nextRetryAt: new Date(now.getTime() + delay * 1000) },
      condition,
      reason,
    };
  }
  return { kind: 'fail', ti, task, changes: { ...parked, state: 'failed', endDate: now }, condition, reason };
}
