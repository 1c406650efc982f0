import { BaseExecutor, attemptId, type BaseExecutorOptions } from '../../core/executors/base-executor.ts';
import { ConfigError } from '../../core/errors.ts';
import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';
import type { ExecutorCapabilities, QueueOptions, TrackedAttempt } from '../../core/ports/executor.ts';
import type { ContainerLogReader } from '../cloudwatch-logs/container-log-reader.ts';
import { ContainerLogReadError } from '../cloudwatch-logs/errors.ts';
import type { EcsTaskLauncher } from './ecs-task-launcher.ts';
import { ecsTaskOutcome } from './ecs-task-outcome.ts';
import type { EcsTaskSnapshot } from './ecs-task-snapshot.ts';
import { parseEcsTaskStateChange } from './ecs-task-state-event.ts';
import { EcsApiError } from './errors.ts';
import { describeAttempt, fargateSizeOf, fargateStartedBy, fargateTags, isEcsTaskArn } from './fargate-attempt.ts';
import { taskIdOf } from './task-arn.ts';

export const DEFAULT_FARGATE_COMMAND: readonly string[] = ['node', '/app/container-worker.mjs'];
export const DEFAULT_MAX_REQUEUES = 3;
/** The `[fargate] container_name` default. */
export const DEFAULT_FARGATE_CONTAINER_NAME = 'task-runner';
/** StopTask reasons start with it, so a stop Updraft asked for is told apart from one made in the console. */
const STOP_REASON_PREFIX = 'updraft: ';
/** How many requeue counts and requeued task ARNs are remembered: a bound on memory, far above one tick's requeues. */
const MAX_REMEMBERED = 10_000;
/** How long a task this process started may be unknown to DescribeTasks before it counts as lost. */
const MISSING_GRACE_MS = 60_000;

export interface FargateExecutorOptions extends Partial<BaseExecutorOptions> {
  launcher: EcsTaskLauncher;
  logs?: ContainerLogReader;
  /** Container command; default ['node', '/app/container-worker.mjs']. */
  command?: string[];
  /** Static environment for every container (UPDRAFT_EXECUTION_API_URL, UPDRAFT_BUCKET). */
  environment: Record<string, string>;
  /** Interruptions / failures to start of one attempt that are run again before it is reported failed (default 3). */
  maxRequeues?: number;
  /**
   * The runner container of the task definition, whose exit code is the attempt's fate: the same value
   * as the launcher's `containerName` (`[fargate] container_name`). Default 'task-runner'.
   */
  containerName?: string;
}

/**
 * The `fargate` executor: one ECS RunTask per task attempt, running the container runner
 * (docs/executors-fargate.md). It learns an attempt's fate from ECS task state change events
 * (`acceptTaskStateChange`) and, as the fallback, from DescribeTasks on each sync; the container's exit
 * code says whether the runner could vouch for the attempt, and the stop code whether AWS took the task
 * away (a Spot interruption runs the same try again instead of counting against the task's retries).
 */
export class FargateExecutor extends BaseExecutor {
  readonly capabilities: ExecutorCapabilities = {
    isLocal: false,
    isProduction: true,
    supportsCallbacks: false,
    servesLogs: true,
    supportsDelayedStart: false,
  };
  private readonly launcher: EcsTaskLauncher;
  private readonly logs: ContainerLogReader | null;
  private readonly command: string[];
  private readonly environment: Record<string, string>;
  private readonly maxRequeues: number;
  private readonly containerName: string;
  /**
   * Requeues reported per attempt id, in memory only (see the docs' limits). Not tied to the tracking:
   * a requeued attempt is forgotten until the scheduler sends it again, and a resend whose RunTask fails
   * is forgotten too, yet both keep their count. Dropped when the attempt is reported ended.
   */
  private readonly requeues = new Map<string, number>();
  /**
   * Task ARNs of requeued attempts: until the scheduler sends the attempt again, its task instance still
   * names the stopped task, and adopting it with that ARN would report (and count) the same interruption twice.
   */
  private readonly requeuedArns = new Set<string>();
  /** When this process started each task: DescribeTasks may not know a task yet just after RunTask. */
  private readonly launchedAt = new Map<string, number>();

  constructor(options: FargateExecutorOptions) {
    super({ ...options, name: options.name ?? 'fargate' });
    const maxRequeues = options.maxRequeues ?? DEFAULT_MAX_REQUEUES;
    if (!Number.isInteger(maxRequeues) || maxRequeues < 0) {
      throw new ConfigError(`The fargate executor's maxRequeues must be a whole number of at least 0, got ${String(options.maxRequeues)}.`);
    }
    if ('UPDRAFT_WORKLOAD' in options.environment) {
      throw new ConfigError(
        'The fargate executor\'s static environment sets UPDRAFT_WORKLOAD, which the executor sets per attempt; remove it.',
      );
    }
    this.launcher = options.launcher;
    this.logs = options.logs ?? null;
    this.command = [...(options.command ?? DEFAULT_FARGATE_COMMAND)];
    this.environment = { ...options.environment };
    this.maxRequeues = maxRequeues;
    this.containerName = options.containerName ?? DEFAULT_FARGATE_CONTAINER_NAME;
  }

  /** RunTask for one attempt. EcsRunTaskError propagates: the scheduler hands the task back to the next tick. */
  protected async executeAsync(workload: ExecuteTaskWorkload, options: QueueOptions): Promise<{ externalId: string | null }> {
    const { ti } = workload;
    const size = fargateSizeOf(ti, options.executorConfig);
    const { taskArn } = await this.launcher.runTask({
      startedBy: fargateStartedBy(ti),
      group: `updraft:${ti.dagId}`,
      command: this.command,
      environment: { ...this.environment, UPDRAFT_WORKLOAD: JSON.stringify(workload) },
      ...size,
      tags: fargateTags(ti),
    });
    this.logger.info(`Task ${describeAttempt(ti)} runs as ECS task ${taskArn}`, { ...logKeys(ti), ecs_task_arn: taskArn });
    this.launchedAt.set(taskArn, this.clock.now().getTime());
    if (this.launchedAt.size > MAX_REMEMBERED) this.launchedAt.delete(this.launchedAt.keys().next().value as string);
    return { externalId: taskArn };
  }

  /**
   * DescribeTasks for every tracked attempt that has a task ARN: the fallback for task state change
   * events that were lost or not wired. A failed DescribeTasks is logged and left to the next sync.
   */
  protected override async syncAttempts(attempts: readonly TrackedAttempt[]): Promise<void> {
    const withArn = attempts.filter((attempt) => isEcsTaskArn(attempt.externalId));
    if (withArn.length === 0) return;
    let described: { tasks: EcsTaskSnapshot[]; missing: string[] };
    try {
      described = await this.launcher.describeTasks(withArn.map((attempt) => attempt.externalId!));
    } catch (error) {
      if (!(error instanceof EcsApiError)) throw error;
      this.logger.warn(`The fargate executor could not learn the state of ${withArn.length} ECS task(s); the next sync tries again: ${error.message}`);
      return;
    }
    const byTaskId = new Map(described.tasks.map((task) => [taskIdOf(task.taskArn), task]));
    const missing = new Set(described.missing.map(taskIdOf));
    for (const attempt of withArn) {
      const arn = attempt.externalId!;
      const task = byTaskId.get(taskIdOf(arn));
      if (task) {
        this.apply(attempt, task);
      } else if (missing.has(taskIdOf(arn))) {
        // DescribeTasks is eventually consistent: a task this process just started may not be known yet.
        const launched = this.launchedAt.get(arn);
        if (launched !== undefined && this.clock.now().getTime() - launched < MISSING_GRACE_MS) continue;
        this.launchedAt.delete(arn);
        this.report(
          attempt,
          'failed',
          `ECS no longer knows task ${arn} (DescribeTasks answered MISSING): it stopped more than about an hour ago, ` +
            'or it ran in another cluster or account. Check the fargate executor\'s cluster setting and the task\'s ' +
            'log; the attempt is failed because nothing can tell how it ended.',
        );
      }
    }
  }

  /**
   * An EventBridge "ECS Task State Change" event: true when it was about a tracked attempt (its state
   * was updated or an event was produced). Other events, and tasks this process does not track, are
   * false; an event that claims to be a task state change but is malformed throws EcsEventFormatError.
   */
  acceptTaskStateChange(event: unknown): boolean {
    const task = parseEcsTaskStateChange(event);
    if (task === null) return false;
    const id = taskIdOf(task.taskArn);
    const attempt = this.trackedAttempts().find((tracked) => isEcsTaskArn(tracked.externalId) && taskIdOf(tracked.externalId) === id);
    if (!attempt) return false;
    this.apply(attempt, task);
    return true;
  }

  /** StopTask for the attempt's ECS task; nothing to stop without a task ARN. */
  override async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    const arn = isEcsTaskArn(ti.externalExecutorId) ? ti.externalExecutorId : this.trackedArnOf(ti);
    if (arn === null) return;
    await this.launcher.stopTask(arn, STOP_REASON_PREFIX + reason);
    this.logger.info(`Stopped ECS task ${arn} of task ${describeAttempt(ti)}: ${reason}`, { ...logKeys(ti), ecs_task_arn: arn });
  }

  /**
   * Adopts the task instances whose external id is an ECS task ARN: the next sync (or event) learns
   * their fate. Those without an ARN never reached ECS (or their ARN was not recorded), and those naming
   * a task this executor already requeued wait for a new one: both are answered back, for the scheduler
   * to send again.
   */
  override async tryAdoptTaskInstances(tis: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    return tis.filter((ti) => !isEcsTaskArn(ti.externalExecutorId) || this.requeuedArns.has(ti.externalExecutorId));
  }

  override async getTaskLog(ti: TaskAttemptKey, externalId: string | null): Promise<{ messages: string[]; lines: string[] }> {
    const arn = isEcsTaskArn(externalId) ? externalId : this.trackedArnOf(ti);
    if (arn === null) {
      return { messages: [`No ECS task is recorded for ${describeAttempt(ti)}, so there is no container log to show.`], lines: [] };
    }
    if (this.logs === null) {
      return {
        messages: [
          `The container log of ECS task ${arn} is not shown: the fargate executor has no log group configured ` +
            '(set [fargate] log_group to the awslogs group of the runner container).',
        ],
        lines: [],
      };
    }
    const stream = this.logs.streamNameFor(arn);
    let lines: string[] | null;
    try {
      lines = await this.logs.readLines(arn);
    } catch (error) {
      if (!(error instanceof ContainerLogReadError)) throw error;
      return { messages: [error.message], lines: [] };
    }
    if (lines === null) {
      return {
        messages: [
          `CloudWatch Logs stream "${stream}" does not exist: the container of ECS task ${arn} has not started yet ` +
            'or never wrote to it. Check that [fargate] log_group and log_stream_prefix match the task definition\'s awslogs settings.',
        ],
        lines: [],
      };
    }
    return { messages: [`Container output of ECS task ${arn}, from CloudWatch Logs stream "${stream}".`], lines };
  }

  /** What an ECS task's state means for its tracked attempt (events and DescribeTasks alike). */
  private apply(attempt: TrackedAttempt, task: EcsTaskSnapshot): void {
    const outcome = ecsTaskOutcome(task, this.containerName);
    const label = `ECS task ${taskIdOf(task.taskArn)}`;
    switch (outcome.kind) {
      case 'pending':
        return;
      case 'running':
        // Airflow's executors count a task running once its environment runs it; reconcile corrects from the metastore.
        attempt.state = 'running';
        return;
      case 'succeeded':
        this.report(attempt, 'success', 'container exited 0');
        return;
      case 'task_failed':
        this.report(attempt, 'failed', `${label} failed: ${withStoppedReason(outcome.reason, task)}`);
        return;
      case 'stopped_by_request': {
        const reason = task.stoppedReason ?? outcome.reason;
        this.report(
          attempt,
          'failed',
          reason.toLowerCase().startsWith(STOP_REASON_PREFIX)
            ? `stopped by Updraft: ${reason.slice(STOP_REASON_PREFIX.length)}`
            : `${label} was stopped by a StopTask request that did not come from Updraft (console, CLI or another tool): ${reason}`,
        );
        return;
      }
      case 'interrupted':
      case 'never_started':
        this.requeueOrFail(attempt, `${label} ${outcome.kind === 'interrupted' ? 'was interrupted' : 'could not start'}: ${outcome.reason}`);
        return;
    }
  }

  private requeueOrFail(attempt: TrackedAttempt, reason: string): void {
    const id = attemptId(attempt.attempt);
    const done = this.requeues.get(id) ?? 0;
    if (done >= this.maxRequeues) {
      this.report(
        attempt,
        'failed',
        `This attempt's ECS task was interrupted or could not start ${done === 0 ? 'once' : `${done + 1} times`}, more often ` +
          `than the fargate executor runs an attempt again (maxRequeues is ${this.maxRequeues}); the last time: ${reason}`,
      );
      return;
    }
    this.requeues.delete(id); // re-inserted last, so the bound below drops the longest-untouched attempts first
    this.requeues.set(id, done + 1);
    if (this.requeues.size > MAX_REMEMBERED) this.requeues.delete(this.requeues.keys().next().value as string);
    this.logger.warn(`Task ${describeAttempt(attempt.attempt)} runs again (requeue ${done + 1} of ${this.maxRequeues}): ${reason}`, logKeys(attempt.attempt));
    if (attempt.externalId !== null) this.rememberRequeued(attempt.externalId);
    this.report(attempt, 'requeue', `${reason} (run again, ${done + 1} of at most ${this.maxRequeues} times)`);
  }

  private report(attempt: TrackedAttempt, state: 'success' | 'failed' | 'requeue', reason: string): void {
    if (state !== 'requeue') this.requeues.delete(attemptId(attempt.attempt));
    this.changeState(attempt.attempt, state, reason);
  }

  private rememberRequeued(arn: string): void {
    this.requeuedArns.add(arn);
    if (this.requeuedArns.size > MAX_REMEMBERED) this.requeuedArns.delete(this.requeuedArns.values().next().value as string);
  }

  private trackedArnOf(ti: TaskAttemptKey): string | null {
    const id = attemptId(ti);
    const tracked = this.trackedAttempts().find((attempt) => attemptId(attempt.attempt) === id);
    return tracked && isEcsTaskArn(tracked.externalId) ? tracked.externalId : null;
  }
}

/** ECS's own stop reason, when the outcome's reason does not already carry it. */
function withStoppedReason(reason: string, task: EcsTaskSnapshot): string {
  const stopped = task.stoppedReason?.trim();
  return stopped && !reason.includes(stopped) ? `${reason} (ECS: ${stopped})` : reason;
}

function logKeys(ti: TaskAttemptKey): Record<string, unknown> {
  return { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex, try_number: ti.tryNumber };
}
