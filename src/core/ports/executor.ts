import type { DagRunKey, TaskAttemptKey } from '../model/keys.ts';
import type { TaskInstanceRecord } from '../model/records.ts';
import type { ExecuteTaskWorkload } from '../model/workload.ts';

/**
 * What an executor is and can do, as Airflow's BaseExecutor class attributes say it. The scheduler and
 * the configuration loader read them; nothing else branches on an executor's name.
 */
export interface ExecutorCapabilities {
  /** Runs tasks on the scheduler's own machine (Airflow's `is_local`). */
  isLocal: boolean;
  /** Fit for production; a non-production executor configured in AWS is warned about at start-up. */
  isProduction: boolean;
  /** Can run DAG and task callbacks itself (Airflow's `supports_callbacks`). */
  supportsCallbacks: boolean;
  /** `getTaskLog` returns logs from the execution environment (container or process output). */
  servesLogs: boolean;
  /** Honours `delaySeconds` when queueing (a start held back by the queue itself). */
  supportsDelayedStart: boolean;
}

/** How an executor saw an attempt end, from the execution environment's side (Airflow's event buffer). */
export type ExecutorEventState =
  /** The environment ended cleanly; the runner reported the task's own state through the Execution API. */
  | 'success'
  /** The environment failed the attempt (crash, out of memory, non-zero exit) possibly before it reported. */
  | 'failed'
  /** The environment was lost through no fault of the task (Spot interruption, never started): run the same try again. */
  | 'requeue';

export interface ExecutorEvent {
  attempt: TaskAttemptKey;
  state: ExecutorEventState;
  /** For people: what the environment said (stop code, exit code, reason). */
  reason: string;
  /** The executor's id of the attempt (ECS task ARN, process id), when it has one. */
  externalId: string | null;
}

/** An attempt the executor has handed to its environment and not yet seen end. */
export interface TrackedAttempt {
  attempt: TaskAttemptKey;
  externalId: string | null;
  /** The task instance's state as last reconciled: handed over but not started, or started. */
  state: 'queued' | 'running';
}

export interface ExecutorSlots {
  parallelism: number;
  /** Attempts handed over and not started yet. */
  queued: number;
  /** Attempts started and not ended. */
  running: number;
  /** How many more attempts it takes now: parallelism - queued - running, never below 0. */
  open: number;
}

export interface QueueOptions {
  /** Hold the start back this long (executors with `supportsDelayedStart`). */
  delaySeconds?: number;
  /** The task's `executorConfig` (Airflow's executor_config), e.g. cpu and memory for fargate. */
  executorConfig?: Record<string, unknown> | null;
}

/**
 * Where a task attempt runs: the contract of Airflow's BaseExecutor, shaped for a scheduler that lives
 * for one tick (docs/executors.md). `BaseExecutor` (src/services/executors) owns the bookkeeping; an
 * executor implements how a workload starts, how its fate is learnt, and how it is stopped.
 */
export interface Executor {
  /** The name tasks use to pick it (the alias in `core.executor`). */
  readonly name: string;
  readonly capabilities: ExecutorCapabilities;
  readonly slots: ExecutorSlots;
  start(): Promise<void>;
  /**
   * Takes a slot for the attempt now, synchronously, or answers false when none is open. The scheduler
   * reserves before it writes `queued`, so concurrent queueing never overshoots; `queueWorkload` then uses
   * the reserved slot. `releaseSlot` gives it back when the attempt was not handed over after all.
   */
  reserveSlot(attempt: TaskAttemptKey): boolean;
  releaseSlot(attempt: TaskAttemptKey): void;
  /**
   * Hands one attempt to the environment (Airflow's queue_workload + execute_async). Once this resolves
   * the attempt will be delivered at least once. `externalId` identifies it for later (an ECS task ARN);
   * the scheduler records it on the task instance.
   */
  queueWorkload(workload: ExecuteTaskWorkload, options?: QueueOptions): Promise<{ externalId: string | null }>;
  /**
   * Brings the bookkeeping in line with the metastore: `active` are the task instances in queued or
   * running that name this executor. Unknown ones are offered to `tryAdoptTaskInstances`; tracked ones
   * that are no longer active are forgotten. Answers the ones it could not adopt.
   */
  reconcile(active: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]>;
  /**
   * The cheap part of `reconcile`, for one run: forgets this run's tracked attempts whose task instance
   * is no longer queued or running on that try. Every scheduling pass calls it (the fast path included),
   * so a process that never ticks does not accumulate ended attempts.
   */
  forgetEndedOfRun(run: DagRunKey, tis: readonly TaskInstanceRecord[]): void;
  /** Learns the fate of tracked attempts and puts what ended into the event buffer. */
  sync(): Promise<void>;
  /** `sync`, then the slot metrics. What the scheduler calls once per tick. */
  heartbeat(): Promise<void>;
  /** Takes every event gathered since the last call (Airflow's get_event_buffer). */
  drainEvents(): ExecutorEvent[];
  /** Stops the attempt's environment (timed out, cleared); a no-op where it cannot (a running Lambda stops at its next heartbeat). */
  stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void>;
  /** Task instances stuck in queued: stops what can be stopped and forgets them; answers a message per instance. */
  cleanupStuckQueued(tis: readonly TaskInstanceRecord[]): Promise<string[]>;
  /** Takes over attempts that another scheduler process handed over; answers those it cannot. */
  tryAdoptTaskInstances(tis: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]>;
  /** Logs of the execution environment itself (container output), shown with the task's log. */
  getTaskLog(ti: TaskAttemptKey, externalId: string | null): Promise<{ messages: string[]; lines: string[] }>;
  /** Waits for what it started in this process, then releases its resources. */
  end(): Promise<void>;
  /** Stops at once, abandoning what runs (the process is going away). */
  terminate(): Promise<void>;
}

/** The configured executors; the first is the default, as Airflow's `core.executor` list. */
export class ExecutorRegistry {
  private readonly byName = new Map<string, Executor>();

  constructor(executors: Executor[]) {
    if (executors.length === 0) throw new Error('At least one executor must be configured.');
    for (const executor of executors) {
      if (this.byName.has(executor.name)) throw new Error(`Two executors are named "${executor.name}"; aliases must be unique.`);
      this.byName.set(executor.name, executor);
    }
  }

  get defaultName(): string {
    return this.byName.keys().next().value as string;
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get all(): Executor[] {
    return [...this.byName.values()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The executor a task names, or the default when it names none. */
  resolve(name: string | null): Executor {
    const executor = this.byName.get(name ?? this.defaultName);
    if (!executor) {
      throw new Error(`Executor "${name}" is not configured; configured executors are: ${this.names.join(', ')}.`);
    }
    return executor;
  }
}
