import { createHash } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';
import { attemptId } from '../../core/executors/base-executor.ts';
import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { EcsConfigurationError } from './errors.ts';
import { validateFargateSize } from './fargate-sizes.ts';

/** How one task attempt is named and sized on ECS: the pure part of the fargate executor. */

const STARTED_BY_PREFIX = 'updraft-';
const MAX_TAG_VALUE = 256;

/** `arn:<partition>:ecs:<region>:<account>:task/...`, in the old and the new (`task/<cluster>/<id>`) format. */
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/\S+$/;

export function isEcsTaskArn(value: string | null | undefined): value is string {
  return typeof value === 'string' && TASK_ARN.test(value);
}

/**
 * ECS `startedBy` for an attempt: `updraft-` and 20 hex characters of the SHA-256 of the attempt key
 * (28 characters, within ECS's 36). Stable across deliveries, so a ListTasks on it finds every task
 * an attempt ever got, and it shows no task names, which startedBy's character set could not hold.
 */
export function fargateStartedBy(attempt: TaskAttemptKey): string {
  return STARTED_BY_PREFIX + createHash('sha256').update(attemptId(attempt)).digest('hex').slice(0, 20);
}

/** `dag/run/task[map] (try n)`, for messages. */
export function describeAttempt(attempt: TaskAttemptKey): string {
  const map = attempt.mapIndex >= 0 ? `[${attempt.mapIndex}]` : '';
  return `${attempt.dagId}/${attempt.runId}/${attempt.taskId}${map} (try ${attempt.tryNumber})`;
}

/** ECS tag values allow letters, digits, whitespace and `_ . : / = + - @`, up to 256 characters. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, MAX_TAG_VALUE);
}

/** Tags that let an operator find an attempt's ECS task (and its cost) from the console or Cost Explorer. */
export function fargateTags(attempt: TaskAttemptKey): Record<string, string> {
  const tags: Record<string, string> = {
    'updraft:dag_id': tagValue(attempt.dagId),
    'updraft:task_id': tagValue(attempt.taskId),
    'updraft:run_id': tagValue(attempt.runId),
    'updraft:try_number': String(attempt.tryNumber),
  };
  if (attempt.mapIndex >= 0) tags['updraft:map_index'] = String(attempt.mapIndex);
  return tags;
}

export interface FargateSize {
  /** CPU units (1024 = 1 vCPU). */
  cpu?: number;
  /** MiB. */
  memory?: number;
}

function sizeValue(attempt: TaskAttemptKey, config: Record<string, unknown>, key: 'cpu' | 'memory'): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    const unit = key === 'cpu' ? 'CPU units (1024 = 1 vCPU), e.g. 1024' : 'MiB, e.g. 2048';
    throw new ValidationError(
      `Task ${describeAttempt(attempt)} has executorConfig.${key} = ${JSON.stringify(value) ?? String(value)}, ` +
        `which the fargate executor cannot use: give a whole number of ${unit}.`,
      `executorConfig.${key}`,
    );
  }
  return value;
}

/**
 * The task-level size an attempt asks for in its `executorConfig` (`cpu`, `memory`), checked against
 * Fargate's sizes here so that the message names the task. Other keys are left to other executors.
 */
export function fargateSizeOf(attempt: TaskAttemptKey, executorConfig: Record<string, unknown> | null | undefined): FargateSize {
  if (!executorConfig) return {};
  const cpu = sizeValue(attempt, executorConfig, 'cpu');
  const memory = sizeValue(attempt, executorConfig, 'memory');
  try {
    validateFargateSize(cpu, memory);
  } catch (error) {
    if (!(error instanceof EcsConfigurationError)) throw error;
    throw new ValidationError(`Task ${describeAttempt(attempt)}: ${error.message}`, `executorConfig.${error.field}`, { cause: error });
  }
  const size: FargateSize = {};
  if (cpu !== undefined) size.cpu = cpu;
  if (memory !== undefined) size.memory = memory;
  return size;
}
