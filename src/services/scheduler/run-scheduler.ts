import { ConflictError } from '../../core/errors.ts';
import { dagRunMapKey, type DagRunKey } from '../../core/model/keys.ts';
import { newTaskInstance, type DagRunRecord, type DagVersionRecord, type TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { DagRunState, TaskInstanceState } from '../../core/model/states.ts';
import { RunFactsCache } from '../run-facts-cache.ts';
import { fastPathGateAfterSuccess } from '../../core/scheduling/fast-path-gate.ts';
import { explainDagRunState } from '../../core/scheduling/run-state.ts';
import { effectivePriorityWeight } from '../../core/scheduling/priority-weights.ts';
import { PreviousRunReader } from './previous-run.ts';
import { planTaskInstances, type TaskTransition, type TransitionKind } from '../../core/scheduling/task-planning.ts';
import { mapWithConcurrency } from './concurrency.ts';
import type { SchedulerDeps } from './settings.ts';
import { TransitionApplier, type AppliedTransition } from './transition-applier.ts';
import { dispatchRunEndCallback } from './dag-callback-dispatch.ts';
import { createMappedInstances, readLengthFacts } from './task-expansion.ts';
import type { MapLengthFact } from '../../core/scheduling/mapping.ts';

/** Planning cascades through the whole graph at once; further rounds only follow lost races. */
const MAX_ROUNDS = 5;
/** Writes in flight for one run: enough for wide fan-outs without exhausting the client's sockets. */
const WRITE_CONCURRENCY = 32;
const CASCADING_KINDS: ReadonlySet<TransitionKind> = new Set(['succeed_empty', 'skip', 'upstream_failed', 'retry', 'fail', 'expand']);

export interface RunScheduleResult {
  /** The run's state after scheduling (null when it was not scheduled: missing or not running). */
  state: DagRunState | null;
  tasksQueued: number;
  /** Whether this call moved the run to success or failed. */
  finished: boolean;
  /** The run's task instances in queued or running after this pass (what executors should hold). */
  activeInstances: TaskInstanceRecord[];
  /** Its deferred instances after this pass (a pool that includes deferred counts their slots). */
  deferredInstances: TaskInstanceRecord[];
  /** Every instance of the run as this pass left it (the tick checks task deadlines on them); absent when not scheduled. */
  instances?: TaskInstanceRecord[];
}

/**
 * Schedules one running DAG run: creates its missing task instances, applies every due transition, hands
 * ready tasks to executors and sets the run's final state. It is the fast path (the Execution API calls
 * it when a task ends) and the tick's per-run step, so it costs one task-instance listing and writes in
 * parallel; every write is conditional, so concurrent calls for the same run are safe.
 */
/** What the Execution API tells the fast path about the attempt that just ended. */
export interface FinishedAttempt {
  taskId: string;
  mapIndex: number;
  state: TaskInstanceState;
}

export class RunScheduler {
  private readonly applier: TransitionApplier;
  private readonly flights = new Map<string, RunFlight>();
  private readonly runFacts: RunFactsCache;

  constructor(private readonly deps: SchedulerDeps) {
    this.applier = new TransitionApplier(deps);
    this.runFacts = deps.runFacts ?? new RunFactsCache(deps.metastore);
  }

  async scheduleRun(run: DagRunKey): Promise<void> {
    // Both reads at once: this is the task-to-task hot path.
    const [record, tis] = await Promise.all([this.deps.metastore.getDagRun(run), this.deps.metastore.listTaskInstances(run)]);
    if (record?.state === 'running') await this.scheduleRunRecord(record, tis);
  }

  /**
   * The fast path, called by the Execution API after an attempt ended. Anything but a success is rare
   * and may cascade (skips, upstream failures, retries), so it schedules the run. A success schedules it
   * only when a downstream task may have become ready (see `fastPathGateAfterSuccess`); otherwise it
   * just counts the success on the downstream joins, so a 500-wide fan-in costs one pass instead of 500.
   * The tick still schedules every running run, so a count lost to a crash only delays, never loses.
   */
  async afterTaskFinished(run: DagRunKey, finished?: FinishedAttempt): Promise<void> {
    if (!finished || finished.state !== 'success' || finished.mapIndex >= 0) return this.scheduleRunSoon(run);
    const facts = await this.runFacts.get(run);
    if (facts === null) return;
    const version = await this.deps.dagVersions.get(run.dagId, facts.versionId);
    const gate = fastPathGateAfterSuccess(version.serialized, finished.taskId);
    if (gate.passNow) return this.scheduleRunSoon(run);
    const counts = await Promise.all(
      gate.counted.map((join) =>
        this.deps.metastore.recordSucceededUpstream({ ...run, taskId: join.taskId, mapIndex: -1 }, finished.taskId),
      ),
    );
    if (counts.some((count, index) => count === null || count >= gate.counted[index]!.needed)) {
      return this.scheduleRunSoon(run);
    }
  }

  /**
   * The fast path's entry: as `scheduleRun`, but calls for the same run coalesce. While one pass runs,
   * later callers share a single follow-up pass that starts when it ends, so it sees every write made
   * before they called. A fan-in of 500 finishing tasks then costs a handful of passes, not 500.
   *
   * The caller that creates the follow-up pass awaits it; callers that join an already-queued one return
   * at once, because their write is covered and the creator keeps the process busy until it has run. (A
   * Lambda container serves one request at a time, so there every call runs and awaits its own pass.)
   */
  scheduleRunSoon(run: DagRunKey): Promise<void> {
    const key = dagRunMapKey(run);
    let flight = this.flights.get(key);
    if (!flight) {
      flight = { running: null, queued: null };
      this.flights.set(key, flight);
    }
    if (flight.queued) return Promise.resolve();
    const current = flight;
    const prior = current.running;
    // Assigned before any await inside reads it: the body only touches `pass` after its first await.
    let pass!: Promise<void>;
    pass = (async () => {
      if (prior) {
        await prior.catch(() => undefined);
        current.queued = null;
        current.running = pass;
      }
      try {
        await this.scheduleRun(run);
      } finally {
        if (current.running === pass) current.running = null;
        if (!current.running && !current.queued) this.flights.delete(key);
      }
    })();
    if (prior) current.queued = pass;
    else current.running = pass;
    return pass;
  }

  /** As `scheduleRun`, for a caller that already holds the run record (the tick). */
  async scheduleRunRecord(run: DagRunRecord, knownInstances?: TaskInstanceRecord[]): Promise<RunScheduleResult> {
    if (run.state !== 'running') return { state: null, tasksQueued: 0, finished: false, activeInstances: [], deferredInstances: [] };
    const { metastore, dagVersions, clock, settings } = this.deps;
    const [version, existing] = await Promise.all([
      dagVersions.get(run.dagId, run.versionId),
      knownInstances ?? metastore.listTaskInstances(run),
    ]);
    const dag = version.serialized;
    // Attempts that ended since the last pass free their slots before this pass queues anything.
    for (const executor of this.deps.executors.all) executor.forgetEndedOfRun(run, existing);
    const current = new Map<string, TaskInstanceRecord>();
    for (const ti of await this.withMissingInstances(run, dag, existing)) current.set(instanceId(ti), ti);

    // Read only once a task with dependsOnPast is ready to start; fresh every pass.
    const past = new PreviousRunReader(metastore, run, dag);
    // Lengths of the upstream lists mapped tasks expand over, read once per pass when first needed.
    const lengthFacts = new Map<string, MapLengthFact>();
    let tasksQueued = 0;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const previousRun = await past.forPlanning([...current.values()]);
      await readLengthFacts(this.deps, run, dag, (taskId) => current.get(instanceId({ taskId, mapIndex: -1 })), lengthFacts);
      const transitions = planTaskInstances({ dag, run, tis: [...current.values()], now: clock.now(), settings, previousRun, lengthFacts });
      if (transitions.length === 0) break;
      const results = await mapWithConcurrency(transitions, WRITE_CONCURRENCY, (t) => this.applyTransition(t, run, version, current));
      let again = false;
      for (const result of results) {
        const id = instanceId(result.transition.ti);
        for (const created of result.created ?? []) current.set(instanceId(created), created);
        if (result.record) current.set(id, result.record);
        else current.delete(id); // Unknown now: leave it out of this call's decisions.
        if (result.outcome === 'applied' && result.transition.kind === 'queue') tasksQueued += 1;
        again ||= shouldPlanAgain(result);
      }
      if (!again) break;
    }

    const tis = [...current.values()];
    // Every pass keeps the executors' bookkeeping of this run true, the fast path's processes included.
    for (const executor of this.deps.executors.all) executor.forgetEndedOfRun(run, tis);
    const activeInstances = tis.filter((ti) => ti.state === 'queued' || ti.state === 'running');
    const deferredInstances = tis.filter((ti) => ti.state === 'deferred');
    return { ...(await this.finishIfDone(run, dag, tis, tasksQueued)), activeInstances, deferredInstances, instances: tis };
  }

  /** An expansion creates the mapped instances before its placeholder write says they exist. */
  private async applyTransition(
    transition: TaskTransition,
    run: DagRunRecord,
    version: DagVersionRecord,
    current: ReadonlyMap<string, TaskInstanceRecord>,
  ): Promise<AppliedTransition & { created?: TaskInstanceRecord[] }> {
    if (transition.kind !== 'expand') return this.applier.apply(transition, run, version);
    const { taskId } = transition.ti;
    let created: TaskInstanceRecord[];
    try {
      const known = (mapIndex: number) => current.has(instanceId({ taskId, mapIndex }));
      const limit = this.deps.settings.maxMappedInstancesPerPass;
      let complete: boolean;
      ({ created, complete } = await createMappedInstances(this.deps, transition, version.serialized, known, limit));
      if (!complete) {
        this.deps.logger.info(`Expanding a mapped task: ${created.length} more of ${transition.expandTo} instances created; the next pass goes on`, {
          dag_id: run.dagId,
          run_id: run.runId,
          task_id: taskId,
        });
        return { transition, outcome: 'no_slot', record: transition.ti, created };
      }
    } catch (error) {
      this.deps.logger.error(`Could not create the mapped instances of a task: ${error instanceof Error ? error.message : String(error)}`, {
        dag_id: run.dagId,
        run_id: run.runId,
        task_id: taskId,
      });
      return { transition, outcome: 'failed', record: transition.ti };
    }
    return { ...(await this.applier.apply(transition, run, version)), created };
  }

  private async finishIfDone(
    run: DagRunRecord,
    dag: SerializedDag,
    tis: TaskInstanceRecord[],
    tasksQueued: number,
  ): Promise<Omit<RunScheduleResult, 'activeInstances' | 'deferredInstances'>> {
    const decision = explainDagRunState(dag, tis);
    if (decision.state === 'running') return { state: 'running', tasksQueued, finished: false };
    let ended: DagRunRecord;
    try {
      ended = await this.deps.metastore.updateDagRun(run, { state: decision.state, endDate: this.deps.clock.now() }, { state: 'running' });
    } catch (error) {
      if (error instanceof ConflictError) return { state: null, tasksQueued, finished: false };
      throw error;
    }
    const attributes = { dag_id: run.dagId, run_id: run.runId, reason: decision.reason };
    if (decision.state === 'success') this.deps.logger.info('DAG run succeeded', attributes);
    else this.deps.logger.warn(`DAG run failed (${decision.reason})`, attributes);
    // DAG-run callbacks: only the pass whose conditional write ended the run sends them (never throws).
    await dispatchRunEndCallback(this.deps, dag, ended, decision.reason);
    return { state: decision.state, tasksQueued, finished: true };
  }

  /** Creates the instances of tasks that have none yet (first scheduling of a run). */
  private async withMissingInstances(
    run: DagRunRecord,
    dag: SerializedDag,
    existing: TaskInstanceRecord[],
  ): Promise<TaskInstanceRecord[]> {
    const have = new Set(existing.filter((ti) => ti.mapIndex < 0).map((ti) => ti.taskId));
    const missing = dag.tasks.filter((task) => !have.has(task.taskId)).map((task) => newTaskInstance(run, task, effectivePriorityWeight(dag, task.taskId)));
    if (missing.length === 0) return existing;
    // Existing instances are left untouched, so a concurrent creator's records equal these.
    await this.deps.metastore.createTaskInstances(missing);
    return [...existing, ...missing];
  }
}

interface RunFlight {
  running: Promise<void> | null;
  queued: Promise<void> | null;
}

function shouldPlanAgain(result: AppliedTransition): boolean {
  if (result.outcome === 'applied') return CASCADING_KINDS.has(result.transition.kind);
  // A lost race means the world differs from the plan: look once more with the winner's record. A
  // failure is left to the next tick rather than retried in a tight loop.
  return result.outcome === 'lost_race' && result.record !== null && result.record.state !== result.transition.ti.state;
}

function instanceId(ti: Pick<TaskInstanceRecord, 'taskId' | 'mapIndex'>): string {
  return `${ti.taskId}\u0000${ti.mapIndex}`;
}
