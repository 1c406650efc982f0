import { UpdraftError } from '../errors.ts';
import { EXECUTOR_DIMENSION, METRIC_NAMES } from '../metric-names.ts';
import { attemptKeyOf as attemptOf, dagRunMapKey as runKeyOf, type DagRunKey, type TaskAttemptKey } from '../model/keys.ts';
import type { TaskInstanceRecord } from '../model/records.ts';
import type { ExecuteTaskWorkload } from '../model/workload.ts';
import type {
  Executor,
  ExecutorCapabilities,
  ExecutorEvent,
  ExecutorEventState,
  ExecutorSlots,
  QueueOptions,
  TrackedAttempt,
} from '../ports/executor.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import { silentLogger, type Logger } from '../ports/logger.ts';
import { noopMetrics, type Metrics } from '../ports/metrics.ts';

/** Airflow's `[core] parallelism` default. */
export const DEFAULT_PARALLELISM = 32;

export interface BaseExecutorOptions {
  /** The alias tasks name it by. */
  name: string;
  /** How many attempts it runs at once (queued + running). */
  parallelism?: number;
  metrics?: Metrics;
  logger?: Logger;
  clock?: Clock;
  /**
   * A process that schedules some runs but never ticks (the Execution API's fast path) may never see
   * an attempt it handed over end. Such an attempt stops holding a slot once nothing has confirmed it
   * (a reconcile, or a pass over its run) for this long. Default 300 s.
   */
  unconfirmedSlotSeconds?: number;
}

/** The executor has no open slot; the scheduler leaves the task for a later pass. */
export class ExecutorFullError extends UpdraftError {
  constructor(executor: string, parallelism: number) {
    super(
      'executor_full',
      `Executor "${executor}" already runs ${parallelism} attempts (its parallelism); the task waits for a free slot. ` +
        'Raise core.parallelism if the work should run wider.',
    );
  }
}

/** The one string an attempt is tracked by: the same for every delivery of the same try. */
export function attemptId(attempt: TaskAttemptKey): string {
  return `${attempt.dagId}\u0000${attempt.runId}\u0000${attempt.taskId}\u0000${attempt.mapIndex}\u0000${attempt.tryNumber}`;
}

/**
 * Airflow's BaseExecutor, for a scheduler that may live for one tick: it owns the bookkeeping of the
 * attempts handed over (queued and running), the slots, the event buffer and the slot metrics. The
 * bookkeeping is rebuilt from the metastore by `reconcile` each tick, so a scheduler that died loses
 * nothing: the next one adopts what it left.
 *
 * A subclass implements `executeAsync` (start one attempt), and where its environment can tell,
 * `syncAttempts` (learn fates, report them with `changeState`), `stopAttempt`, `tryAdoptTaskInstances`
 * and `getTaskLog`.
 */
export abstract class BaseExecutor implements Executor {
  readonly name: string;
  abstract readonly capabilities: ExecutorCapabilities;
  protected readonly parallelism: number;
  protected readonly metrics: Metrics;
  protected readonly logger: Logger;
  /** Attempts handed over and not seen to end, by `attemptId`. */
  private readonly tracked = new Map<string, TrackedAttempt>();
  /** The same attempts by run, so a pass over one run forgets its ended attempts without a scan. */
  private readonly trackedByRun = new Map<string, Set<string>>();
  /** When each tracked attempt was last seen queued or running in the metastore (or handed over). */
  private readonly confirmedAt = new Map<string, number>();
  protected readonly clock: Clock;
  private readonly unconfirmedSlotMs: number;
  private events: ExecutorEvent[] = [];

  constructor(options: BaseExecutorOptions) {
    if (!Number.isInteger(options.parallelism ?? DEFAULT_PARALLELISM) || (options.parallelism ?? DEFAULT_PARALLELISM) < 1) {
      throw new UpdraftError('config', `Executor "${options.name}" needs a parallelism of at least 1, got ${String(options.parallelism)}.`);
    }
    this.name = options.name;
    this.parallelism = options.parallelism ?? DEFAULT_PARALLELISM;
    this.metrics = options.metrics ?? noopMetrics;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.unconfirmedSlotMs = (options.unconfirmedSlotSeconds ?? 300) * 1000;
  }

  /** Starts one attempt in the environment; resolves once it will be delivered at least once. */
  protected abstract executeAsync(workload: ExecuteTaskWorkload, options: QueueOptions): Promise<{ externalId: string | null }>;

  /** Learns the fate of the tracked attempts; report each that ended with `changeState`. Default: nothing to learn. */
  protected async syncAttempts(_attempts: readonly TrackedAttempt[]): Promise<void> {}

  get slots(): ExecutorSlots {
    let queued = 0;
    let running = 0;
    for (const attempt of this.tracked.values()) {
      if (attempt.state === 'queued') queued += 1;
      else running += 1;
    }
    return { parallelism: this.parallelism, queued, running, open: Math.max(0, this.parallelism - queued - running) };
  }

  async start(): Promise<void> {}

  /**
   * True for an executor whose environment is itself a bounded queue (SQS in front of a worker function
   * whose reserved concurrency is the parallelism): attempts past the slots wait there, already queued,
   * instead of in the scheduler, so a slot that frees up is used at once without a scheduling pass.
   * The slots still count them, for the metrics.
   */
  protected readonly queuesPastParallelism: boolean = false;

  reserveSlot(attempt: TaskAttemptKey): boolean {
    if (this.tracked.has(attemptId(attempt))) return true;
    if (this.slots.open <= 0) this.forgetUnconfirmed();
    if (this.slots.open <= 0 && !this.queuesPastParallelism) return false;
    this.track({ attempt, externalId: null, state: 'queued' });
    return true;
  }

  releaseSlot(attempt: TaskAttemptKey): void {
    this.forget(attemptId(attempt));
  }

  async queueWorkload(workload: ExecuteTaskWorkload, options: QueueOptions = {}): Promise<{ externalId: string | null }> {
    const id = attemptId(workload.ti);
    // A re-send of an attempt already held (reserved, or stuck in queued) takes no new slot. The slot is
    // taken before the first await, so concurrent calls cannot all pass the check.
    const resend = this.tracked.has(id);
    if (!resend && !this.reserveSlot(workload.ti)) throw new ExecutorFullError(this.name, this.parallelism);
    try {
      const handed = await this.executeAsync(workload, options);
      const tracked = this.tracked.get(id);
      if (tracked) tracked.externalId = handed.externalId ?? tracked.externalId;
      return handed;
    } catch (error) {
      if (!resend) this.forget(id);
      throw error;
    }
  }

  async reconcile(active: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    const seen = new Set<string>();
    const unknown: TaskInstanceRecord[] = [];
    for (const ti of active) {
      if (ti.state !== 'queued' && ti.state !== 'running') continue;
      const id = attemptId(attemptOf(ti));
      seen.add(id);
      const known = this.tracked.get(id);
      if (known) {
        this.confirmedAt.set(id, this.clock.now().getTime());
        known.state = ti.state;
        known.externalId ??= ti.externalExecutorId;
      } else {
        unknown.push(ti);
      }
    }
    for (const id of [...this.tracked.keys()]) {
      if (!seen.has(id)) this.forget(id);
    }
    if (unknown.length === 0) return [];
    const notAdopted = await this.tryAdoptTaskInstances(unknown);
    const refused = new Set(notAdopted.map((ti) => attemptId(attemptOf(ti))));
    for (const ti of unknown) {
      const id = attemptId(attemptOf(ti));
      if (refused.has(id)) continue;
      this.track({ attempt: attemptOf(ti), externalId: ti.externalExecutorId, state: ti.state as 'queued' | 'running' });
    }
    return notAdopted;
  }

  forgetEndedOfRun(run: DagRunKey, tis: readonly TaskInstanceRecord[]): void {
    const ids = this.trackedByRun.get(runKeyOf(run));
    if (!ids) return;
    const active = new Set(
      tis.filter((ti) => ti.state === 'queued' || ti.state === 'running').map((ti) => attemptId(attemptOf(ti))),
    );
    const now = this.clock.now().getTime();
    for (const id of [...ids]) {
      if (active.has(id)) this.confirmedAt.set(id, now);
      else this.forget(id);
    }
  }

  private forgetUnconfirmed(): void {
    const cutoff = this.clock.now().getTime() - this.unconfirmedSlotMs;
    for (const [id, at] of [...this.confirmedAt]) if (at < cutoff) this.forget(id);
  }

  /** What is tracked now, for executors that look their attempts up (by ARN, by process). */
  protected trackedAttempts(): TrackedAttempt[] {
    return [...this.tracked.values()];
  }

  async sync(): Promise<void> {
    if (this.tracked.size === 0) return;
    await this.syncAttempts(this.trackedAttempts());
  }

  async heartbeat(): Promise<void> {
    try {
      await this.sync();
    } finally {
      const slots = this.slots;
      const dimensions = { [EXECUTOR_DIMENSION]: this.name };
      this.metrics.gauge(METRIC_NAMES.executorOpenSlots, slots.open, dimensions, 'Count');
      this.metrics.gauge(METRIC_NAMES.executorQueuedSlots, slots.queued, dimensions, 'Count');
      this.metrics.gauge(METRIC_NAMES.executorRunningTasks, slots.running, dimensions, 'Count');
    }
  }

  drainEvents(): ExecutorEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** Default: the environment cannot be stopped from here; the runner stops at its next refused heartbeat. */
  async stopAttempt(_ti: TaskInstanceRecord, _reason: string): Promise<void> {}

  async cleanupStuckQueued(tis: readonly TaskInstanceRecord[]): Promise<string[]> {
    const messages: string[] = [];
    for (const ti of tis) {
      const reason = `task instance ${ti.dagId}/${ti.runId}/${ti.taskId} (try ${ti.tryNumber}) stuck in queued`;
      await this.stopAttempt(ti, reason);
      this.forget(attemptId(attemptOf(ti)));
      messages.push(`Executor "${this.name}" gave up on the ${reason}.`);
    }
    return messages;
  }

  /** Default: adopt everything (the environment delivers on its own, as a queue does). */
  async tryAdoptTaskInstances(_tis: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    return [];
  }

  async getTaskLog(_ti: TaskAttemptKey, _externalId: string | null): Promise<{ messages: string[]; lines: string[] }> {
    return { messages: [], lines: [] };
  }

  async end(): Promise<void> {}

  async terminate(): Promise<void> {}

  /**
   * Reports that a tracked attempt ended, as the environment saw it, and frees its slot. The scheduler
   * decides what it means for the task instance (the runner may already have reported).
   */
  protected changeState(attempt: TaskAttemptKey, state: ExecutorEventState, reason: string): void {
    const tracked = this.forget(attemptId(attempt));
    this.events.push({ attempt, state, reason, externalId: tracked?.externalId ?? null });
  }

  private track(attempt: TrackedAttempt): void {
    const id = attemptId(attempt.attempt);
    this.tracked.set(id, attempt);
    this.confirmedAt.set(id, this.clock.now().getTime());
    const runKey = runKeyOf(attempt.attempt);
    let ids = this.trackedByRun.get(runKey);
    if (!ids) {
      ids = new Set();
      this.trackedByRun.set(runKey, ids);
    }
    ids.add(id);
  }

  private forget(id: string): TrackedAttempt | undefined {
    const attempt = this.tracked.get(id);
    if (!attempt) return undefined;
    this.tracked.delete(id);
    this.confirmedAt.delete(id);
    const runKey = runKeyOf(attempt.attempt);
    const ids = this.trackedByRun.get(runKey);
    ids?.delete(id);
    if (ids?.size === 0) this.trackedByRun.delete(runKey);
    this.onForgotten(attempt);
    return attempt;
  }

  /** A hook for executors that hold per-attempt resources (a child process, a log buffer). */
  protected onForgotten(_attempt: TrackedAttempt): void {}
}
