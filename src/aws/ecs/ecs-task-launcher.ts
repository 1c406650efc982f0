import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Failure,
} from '@aws-sdk/client-ecs';
import {
  backoffDelayMs,
  defaultSleep,
  errorName,
  isRetryableRunTaskFailure,
  isRetryableSdkError,
  isUnansweredRequest,
} from './ecs-retry.ts';
import { snapshotFromDescribe, type EcsTaskSnapshot } from './ecs-task-snapshot.ts';
import { EcsApiError, EcsRunTaskError, type EcsFailure } from './errors.ts';
import { buildRunTaskInput } from './run-task-input.ts';
import { taskIdOf } from './task-arn.ts';

export interface EcsLaunchSettings {
  cluster: string;
  taskDefinition: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
  capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
  /** Default LATEST. */
  platformVersion?: string;
  /** Calls per operation when ECS answers with capacity or throttling failures; default 3. */
  maxRunTaskAttempts?: number;
  /** First backoff ceiling; doubles per attempt with full jitter, capped at 20 s. Default 1000. */
  baseRetryDelayMs?: number;
}

export interface EcsRunRequest {
  /** ECS startedBy (max 36 chars): we pass a short stable id of the attempt. */
  startedBy: string;
  /** ECS group, e.g. `updraft:<dag_id>` (sanitised and truncated to ECS's 255 characters). */
  group: string;
  command: string[];
  environment: Record<string, string>;
  /** Task-level Fargate CPU units (1024 = 1 vCPU), checked against Fargate's sizes. */
  cpu?: number;
  /** Task-level memory in MiB. */
  memory?: number;
  tags?: Record<string, string>;
}

const MAX_DELAY_MS = 20_000;
const DESCRIBE_CHUNK = 100;
/** ECS keeps up to 255 characters of a stop reason. */
const MAX_STOP_REASON = 255;

function toFailures(failures: Failure[] | undefined): EcsFailure[] {
  return (failures ?? []).map((f) => ({ reason: f.reason ?? 'UNKNOWN', detail: f.detail ?? null, arn: f.arn ?? null }));
}

function describeFailures(failures: EcsFailure[]): string {
  return failures.map((f) => (f.detail ? `${f.reason} (${f.detail})` : f.reason)).join('; ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A task that StopTask cannot find has already gone: stopping it again is done. */
function isTaskGone(error: unknown): boolean {
  const name = errorName(error);
  const message = messageOf(error);
  if (name === 'ResourceNotFoundException') return true;
  return (
    (name === 'InvalidParameterException' || name === 'ClientException') &&
    /not found|already (been )?stopped|is stopped/i.test(message)
  );
}

/**
 * Starts, stops and describes the ECS tasks of the fargate executor: one RunTask per task attempt, with
 * the runner's command and workload passed as container overrides.
 */
export class EcsTaskLauncher {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: ECSClient,
    private readonly settings: EcsLaunchSettings,
    options: { sleep?: (ms: number) => Promise<void>; random?: () => number } = {},
  ) {
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, settings.maxRunTaskAttempts ?? 3);
    this.baseDelayMs = settings.baseRetryDelayMs ?? 1000;
  }

  /** RunTask with container overrides; retries throttling and capacity failures with backoff. */
  async runTask(request: EcsRunRequest): Promise<{ taskArn: string }> {
    const input = buildRunTaskInput(this.settings, request);
    let lastFailures: EcsFailure[] = [];
    let lastCause: unknown;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.delay(attempt - 1));
      let response;
      try {
        response = await this.client.send(new RunTaskCommand(input));
      } catch (error) {
        if (isUnansweredRequest(error)) {
          // Calling again could start a second task if the first call did reach ECS; the attempt is
          // queued again instead, and the runner's start call refuses a duplicate.
          throw new EcsRunTaskError(
            `Could not reach ECS to run task definition "${this.settings.taskDefinition}": ` +
              `${errorName(error)}: ${messageOf(error)}. Check network access to the ECS endpoint; the task ` +
              'attempt can be queued again.',
            { retryable: true, attempts: attempt },
            { cause: error },
          );
        }
        if (!isRetryableSdkError(error)) {
          throw new EcsRunTaskError(
            `ECS rejected RunTask for task definition "${this.settings.taskDefinition}" on cluster ` +
              `"${this.settings.cluster}": ${errorName(error)}: ${messageOf(error)}. Check the fargate executor ` +
              'settings (cluster, task definition, subnets, security groups, capacity provider) and the IAM permissions.',
            { retryable: false, attempts: attempt },
            { cause: error },
          );
        }
        lastCause = error;
        lastFailures = [];
        lastProblem = `${errorName(error)}: ${messageOf(error)}`;
        continue;
      }
      const taskArn = response.tasks?.[0]?.taskArn;
      if (taskArn) return { taskArn };

      const failures = toFailures(response.failures);
      if (failures.length > 0 && !failures.every((f) => isRetryableRunTaskFailure(f.reason))) {
        throw new EcsRunTaskError(
          `ECS could not run task definition "${this.settings.taskDefinition}" on cluster "${this.settings.cluster}": ` +
            `${describeFailures(failures)}. MISSING means the task definition or cluster does not exist in this ` +
            'account and Region: check the fargate executor settings.',
          { retryable: false, failures, attempts: attempt },
        );
      }
      lastCause = undefined;
      lastFailures = failures;
      lastProblem = failures.length > 0 ? describeFailures(failures) : 'RunTask answered with neither a task nor a failure';
    }
    throw new EcsRunTaskError(
      `ECS could not start a task for "${request.startedBy}" after ${this.maxAttempts} attempts: ${lastProblem}. ` +
        'This is usually a shortage of Fargate capacity or API throttling; the task attempt can be queued again later ' +
        '(more subnets in other Availability Zones, or FARGATE instead of FARGATE_SPOT, make it likelier to start).',
      { retryable: true, failures: lastFailures, attempts: this.maxAttempts },
      lastCause === undefined ? undefined : { cause: lastCause },
    );
  }

  /** StopTask; a task that is already stopped or unknown is not an error (idempotent). */
  async stopTask(taskArn: string, reason: string): Promise<void> {
    await this.withRetries('StopTask', async () => {
      try {
        await this.client.send(
          new StopTaskCommand({ cluster: this.settings.cluster, task: taskArn, reason: reason.slice(0, MAX_STOP_REASON) }),
        );
      } catch (error) {
        if (isTaskGone(error)) return;
        throw error;
      }
    });
  }

  /** DescribeTasks in chunks of 100; tasks ECS no longer knows come back in `missing`. */
  async describeTasks(taskArns: string[]): Promise<{ tasks: EcsTaskSnapshot[]; missing: string[] }> {
    const unique = [...new Set(taskArns)];
    const tasks: EcsTaskSnapshot[] = [];
    const missing: string[] = [];
    for (let i = 0; i < unique.length; i += DESCRIBE_CHUNK) {
      const chunk = unique.slice(i, i + DESCRIBE_CHUNK);
      const response = await this.withRetries('DescribeTasks', () =>
        this.client.send(new DescribeTasksCommand({ cluster: this.settings.cluster, tasks: chunk })),
      );
      for (const task of response.tasks ?? []) tasks.push(snapshotFromDescribe(task));
      // Other failure reasons say nothing about the task's fate; such a task is simply asked about again later.
      for (const failure of response.failures ?? []) {
        if (failure.reason !== 'MISSING' || !failure.arn) continue;
        // Answer with the ARN the caller asked about, even if ECS echoes it in another form (e.g. the task id).
        const id = taskIdOf(failure.arn);
        missing.push(chunk.find((arn) => arn === failure.arn) ?? chunk.find((arn) => taskIdOf(arn) === id) ?? failure.arn);
      }
    }
    return { tasks, missing };
  }

  private delay(retry: number): number {
    return backoffDelayMs(retry, this.baseDelayMs, MAX_DELAY_MS, this.random);
  }

  private async withRetries<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (isRetryableSdkError(error) && attempt < this.maxAttempts) {
          await this.sleep(this.delay(attempt));
          continue;
        }
        throw new EcsApiError(
          operation,
          `ECS ${operation} on cluster "${this.settings.cluster}" failed after ${attempt} attempt(s): ` +
            `${errorName(error)}: ${messageOf(error)}. Check the cluster name and the IAM permissions for ecs:${operation}; ` +
            'if ECS is throttling, the next sync tries again.',
          { cause: error },
        );
      }
    }
  }
}
