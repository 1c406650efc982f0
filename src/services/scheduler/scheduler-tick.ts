import { ConflictError } from '../../core/errors.ts';
import type { DagRecord, DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import { planRunCreation } from '../../core/scheduling/run-creation.ts';
import { deserializeTimetable } from '../../core/timetables/deserialize.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { createAssetTriggeredRuns } from './asset-run-creation.ts';
import { progressBackfills } from '../backfill/backfill-tick-step.ts';
import { dagRunMapKey } from '../../core/model/keys.ts';
import { METRIC_NAMES } from '../../core/metric-names.ts';
import { noopMetrics, type Metrics } from '../../core/ports/metrics.ts';
import { ExecutorSync } from './executor-sync.ts';
import { dispatchTriggers, type DeferredOfRun } from './trigger-dispatch.ts';
import { awaitsTriggerer } from '../../core/scheduling/triggers.ts';
import { alertMissedDeadlines } from './deadline-step.ts';
import { alertMissedTaskDeadlines, type TaskDeadlineCheck } from './task-deadline-step.ts';
import { SlotLeaseReconciler, type ReconcileInput } from './slot-lease-reconciler.ts';
import { RunScheduler } from './run-scheduler.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps } from './settings.ts';
import { describe, TransitionApplier } from './transition-applier.ts';

export interface TickReport {
  runsCreated: number;
  runsStarted: number;
  runsFinished: number;
  tasksQueued: number;
  /** Attempts sent again because their executor lost them or could not adopt them. */
  tasksRequeuedByExecutors: number;
  /** Executor events that changed a task instance (an environment that ended before the runner reported). */
  executorEventsApplied: number;
  /** Deferred tasks whose triggers this tick sent to the triggerer (absent without a trigger queue). */
  triggersSent?: number;
  /** DAGs or runs this tick could not handle (each is logged; the next tick tries again). */
  errors: number;
}

/**
 * One scheduler tick, as one loop of Airflow's scheduler job: create due runs, start queued runs within
 * `maxActiveRuns`, and schedule every running run. Several ticks may run at once (overlapping Lambda
 * invocations, two schedulers): run ids are derived from logical dates and every state change is a
 * conditional write, so they neither duplicate runs nor queue a task twice.
 */
export class SchedulerTick {
  private readonly runScheduler: RunScheduler;
  readonly executorSync: ExecutorSync;
  /** Frees slot leases that crashed processes left behind; null without slot leases. */
  private readonly leaseReconciler: SlotLeaseReconciler | null;

  constructor(private readonly deps: SchedulerDeps) {
    this.runScheduler = new RunScheduler(deps);
    this.executorSync = new ExecutorSync(deps, new TransitionApplier(deps));
    this.leaseReconciler = deps.slotLeases ? new SlotLeaseReconciler({ ...deps, slotLeases: deps.slotLeases }) : null;
  }

  async tick(): Promise<TickReport> {
    const startedAt = this.deps.clock.now();
    const metrics = this.deps.metrics ?? noopMetrics;
    try {
      const report = await this.work(startedAt, metrics);
      // Only a tick that got through its work counts as a heartbeat: a scheduler that fails every tick
      // is not scheduling, and the "scheduler not ticking" alarm should say so.
      metrics.count(METRIC_NAMES.schedulerHeartbeat);
      return report;
    } finally {
      metrics.timing(METRIC_NAMES.schedulerTickDuration, Math.max(0, this.deps.clock.now().getTime() - startedAt.getTime()));
      await metrics.flush();
    }
  }

  private async work(now: Date, metrics: Metrics): Promise<TickReport> {
    const { metastore, settings } = this.deps;
    const report: TickReport = {
      runsCreated: 0,
      runsStarted: 0,
      runsFinished: 0,
      tasksQueued: 0,
      tasksRequeuedByExecutors: 0,
      executorEventsApplied: 0,
      errors: 0,
    };
    // The heartbeat (read the latest, then write ours) runs beside the tick's reads, so the metrics
    // add no round trip to the tick; the read comes first so it sees the previous tick, not this one.
    const [previousTick, dags, activeRuns, importErrors] = await Promise.all([
      this.recordHeartbeat(now),
      metastore.listDags(),
      metastore.listActiveDagRuns(),
      this.readForMetric('the import errors', () => metastore.listImportErrors()),
    ]);
    if (previousTick) {
      const seconds = Math.max(0, (now.getTime() - previousTick.at.getTime()) / 1000);
      metrics.gauge(METRIC_NAMES.schedulerSecondsSinceLastTick, seconds, {}, 'Seconds');
    }
    if (importErrors) metrics.gauge(METRIC_NAMES.dagImportErrors, importErrors.length, {}, 'Count');
    const schedulable = new Map(dags.filter((d) => d.isActive && !d.isPaused).map((d) => [d.dagId, d]));
    const runsByDag = groupByDag(activeRuns);
    // Runs of active backfills go by their backfill's maxActiveRuns, not the DAG's (Airflow 3): the step
    // takes them out of runsByDag before anything below counts or starts the DAG's runs.
    const backfillRuns = await progressBackfills(this.deps, runsByDag, schedulable, now, report);
    const concurrency = settings.tickConcurrency ?? DEFAULT_SCHEDULER_SETTINGS.tickConcurrency ?? 8;

    const due = [...schedulable.values()].filter(
      (d) => d.nextDagRunCreateAfter !== null && d.nextDagRunCreateAfter.getTime() <= now.getTime(),
    );
    await mapWithConcurrency(due, concurrency, async (dag) => {
      const active = runsByDag.get(dag.dagId) ?? [];
      try {
        const created = await this.createDueRuns(dag, active.length, now);
        report.runsCreated += created.createdCount;
        for (const run of created.runs) if (!active.some((r) => r.runId === run.runId)) active.push(run);
        runsByDag.set(dag.dagId, active);
      } catch (error) {
        report.errors += 1;
        this.deps.logger.error(`Could not create the due runs of DAG "${dag.dagId}": ${describe(error)}`, { dag_id: dag.dagId });
      }
    });
    // DAGs scheduled on assets (paused ones too: their updates are skipped, not saved for later).
    await createAssetTriggeredRuns(this.deps, dags, runsByDag, now, concurrency, report);

    const running: DagRunRecord[] = [...backfillRuns];
    for (const [dagId, runs] of runsByDag) {
      const dag = schedulable.get(dagId);
      // Airflow neither starts nor schedules runs of paused DAGs; they resume when it is unpaused.
      if (!dag) continue;
      let started: DagRunRecord[] = [];
      try {
        started = await this.startQueuedRuns(dag, runs, now);
      } catch (error) {
        report.errors += 1;
        this.deps.logger.error(`Could not start the queued runs of DAG "${dagId}": ${describe(error)}`, { dag_id: dagId });
      }
      report.runsStarted += started.length;
      running.push(...runs.filter((r) => r.state === 'running'), ...started);
    }

    const active: TaskInstanceRecord[] = [];
    const deferredToPoll: DeferredOfRun[] = [];
    const scheduled = new Map<string, { run: DagRunRecord; instances: TaskInstanceRecord[] }>();
    const taskDeadlineChecks: TaskDeadlineCheck[] = [];
    let complete = true;
    await mapWithConcurrency(running, concurrency, async (run) => {
      try {
        const result = await this.runScheduler.scheduleRunRecord(run);
        report.tasksQueued += result.tasksQueued;
        if (result.finished) report.runsFinished += 1;
        active.push(...result.activeInstances);
        for (const ti of result.deferredInstances) if (awaitsTriggerer(ti)) deferredToPoll.push({ ti, run });
        scheduled.set(dagRunMapKey(run), { run, instances: [...result.activeInstances, ...result.deferredInstances] });
        if (result.state === 'running' && result.instances) taskDeadlineChecks.push({ run, instances: result.instances });
      } catch (error) {
        complete = false;
        report.errors += 1;
        this.deps.logger.error(`Could not schedule the DAG run: ${describe(error)}`, { dag_id: run.dagId, run_id: run.runId });
      }
    });
    // Deferral: I/O triggers go to the triggerer, once per tick (trigger-dispatch.ts).
    if (this.deps.triggerQueue) {
      const dispatched = await dispatchTriggers({ ...this.deps, triggerQueue: this.deps.triggerQueue }, deferredToPoll);
      report.triggersSent = dispatched.sent;
      report.errors += dispatched.errors;
    }
    // Deadline alerts: active runs past their DAG's deadline, each alerted once (deadline-step.ts).
    report.errors += (await alertMissedDeadlines(this.deps, activeRuns, now, concurrency)).errors;
    // Task deadline alerts: unfinished instances of the runs just scheduled, each alerted once (task-deadline-step.ts).
    report.errors += (await alertMissedTaskDeadlines(this.deps, taskDeadlineChecks, now, concurrency)).errors;
    // Reconciling against a partial view would make executors forget attempts that still run.
    if (complete) {
      const synced = await this.executorSync.heartbeat(active, new Map(running.map((run) => [dagRunMapKey(run), run])));
      report.tasksRequeuedByExecutors = synced.requeued;
      report.executorEventsApplied = synced.eventsApplied;
      report.errors += synced.errors;
      // As for the executors: leases are only judged against a complete view of the running runs.
      await this.reconcileLeases(activeRuns, scheduled, report);
    }
    return report;
  }

  private async reconcileLeases(activeRuns: DagRunRecord[], scheduled: ReconcileInput['scheduled'], report: TickReport): Promise<void> {
    if (!this.leaseReconciler) return;
    try {
      await this.leaseReconciler.reconcile({ activeRuns, scheduled });
    } catch (error) {
      report.errors += 1;
      this.deps.logger.error(`Could not reconcile the slot leases; the next tick tries again: ${describe(error)}`);
    }
  }

  /** Records this tick's heartbeat and answers the latest one before it (null: none, or unreadable). */
  private async recordHeartbeat(now: Date): Promise<{ schedulerId: string; at: Date } | null> {
    const { metastore, settings } = this.deps;
    const previous = await this.readForMetric('the latest scheduler heartbeat', () => metastore.getLatestSchedulerHeartbeat());
    await metastore.recordSchedulerHeartbeat(settings.schedulerId, now);
    return previous;
  }

  /** A read that only feeds a metric: its failure costs the metric, never the tick. */
  private async readForMetric<T>(what: string, read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      this.deps.logger.warn(`Could not read ${what} for the scheduler's metrics; skipping that metric this tick: ${describe(error)}`);
      return null;
    }
  }

  private async createDueRuns(dag: DagRecord, activeCount: number, now: Date): Promise<{ runs: DagRunRecord[]; createdCount: number }> {
    const { metastore, dagVersions, settings } = this.deps;
    const version = await dagVersions.get(dag.dagId, dag.latestVersionId);
    const plan = planRunCreation({
      dag,
      serialized: version.serialized,
      timetable: deserializeTimetable(version.serialized.timetable),
      activeRuns: activeCount,
      now,
      maxRunsPerTick: settings.maxRunsToCreatePerTick,
    });
    const runs: DagRunRecord[] = plan.runs.map((planned) => ({
      dagId: dag.dagId,
      runId: planned.runId,
      state: 'queued',
      runType: 'scheduled',
      logicalDate: planned.logicalDate,
      dataInterval: planned.dataInterval,
      runAfter: planned.runAfter,
      versionId: dag.latestVersionId,
      conf: {},
      queuedAt: now,
      startDate: null,
      endDate: null,
      revision: 0,
    }));
    // In order, so that a crash leaves a prefix of the runs and the bookkeeping still behind them.
    let createdCount = 0;
    for (const run of runs) {
      if (await metastore.createDagRun(run)) {
        createdCount += 1;
        this.deps.logger.info('Created scheduled DAG run', { dag_id: run.dagId, run_id: run.runId });
      }
    }
    if (plan.changed) {
      try {
        await metastore.updateDagSchedule(
          dag.dagId,
          { lastAutomatedDataInterval: plan.lastAutomatedDataInterval, nextDagRunCreateAfter: plan.nextDagRunCreateAfter },
          dag.lastAutomatedDataInterval,
        );
      } catch (error) {
        // Another scheduler moved the bookkeeping first; it created the same runs (same ids).
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return { runs, createdCount };
  }

  /** Queued → running, oldest logical date first, while the DAG has fewer running runs than maxActiveRuns. */
  private async startQueuedRuns(dag: DagRecord, runs: DagRunRecord[], now: Date): Promise<DagRunRecord[]> {
    let runningCount = runs.filter((r) => r.state === 'running').length;
    const queued = runs
      .filter((r) => r.state === 'queued' && r.runAfter.getTime() <= now.getTime())
      .sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime() || a.runId.localeCompare(b.runId));
    const started: DagRunRecord[] = [];
    for (const run of queued) {
      if (runningCount >= dag.maxActiveRuns) break;
      try {
        started.push(await this.deps.metastore.updateDagRun(run, { state: 'running', startDate: now }, { state: 'queued' }));
        runningCount += 1;
        this.deps.logger.info('Started DAG run', { dag_id: run.dagId, run_id: run.runId });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Someone else started it: it still counts against the limit.
        if ((error.current as DagRunRecord | null | undefined)?.state === 'running') runningCount += 1;
      }
    }
    return started;
  }
}

function groupByDag(runs: readonly DagRunRecord[]): Map<string, DagRunRecord[]> {
  const byDag = new Map<string, DagRunRecord[]>();
  for (const run of runs) {
    const list = byDag.get(run.dagId) ?? [];
    list.push(run);
    byDag.set(run.dagId, list);
  }
  return byDag;
}
