import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';
import { TOKEN_KEY_ENV_FIELDS, tokenKeySourceFrom, type TokenKeySource } from '../../core/token-key-source.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerSettings } from './settings.ts';

/** The scheduler function's configuration, from `UPDRAFT_*` environment variables, validated at start-up. */
export const schedulerEnvironmentSchema = z.strictObject({
  UPDRAFT_TABLE_NAME: z.string().min(1),
  /** The `lambda` executor's queue (required when core.executor names lambda). */
  UPDRAFT_TASK_QUEUE_URL: z.url().optional(),
  /** Where deferred tasks' triggers go to the triggerer (absent: only time triggers fire). */
  UPDRAFT_TRIGGER_QUEUE_URL: z.url().optional(),
  /** What `fargate` containers are told (required when core.executor names fargate). */
  UPDRAFT_EXECUTION_API_URL: z.url().optional(),
  UPDRAFT_BUCKET: z.string().min(1).optional(),
  ...TOKEN_KEY_ENV_FIELDS,
  UPDRAFT_TASK_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
  UPDRAFT_TASK_QUEUED_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
});

export interface SchedulerFunctionConfig {
  tableName: string;
  taskQueueUrl: string | null;
  triggerQueueUrl: string | null;
  executionApiUrl: string | null;
  bucket: string | null;
  tokenKey: TokenKeySource;
  settings: Omit<SchedulerSettings, 'schedulerId'>;
}

export function loadSchedulerConfig(env: Record<string, string | undefined>): SchedulerFunctionConfig {
  const config = parseUpdraftEnvironment(schedulerEnvironmentSchema, env, 'scheduler');
  return {
    tableName: config.UPDRAFT_TABLE_NAME,
    taskQueueUrl: config.UPDRAFT_TASK_QUEUE_URL ?? null,
    triggerQueueUrl: config.UPDRAFT_TRIGGER_QUEUE_URL ?? null,
    executionApiUrl: config.UPDRAFT_EXECUTION_API_URL ?? null,
    bucket: config.UPDRAFT_BUCKET ?? null,
    tokenKey: tokenKeySourceFrom(config, 'scheduler'),
    settings: {
      ...DEFAULT_SCHEDULER_SETTINGS,
      taskHeartbeatTimeoutSeconds: config.UPDRAFT_TASK_HEARTBEAT_TIMEOUT_SECONDS ?? DEFAULT_SCHEDULER_SETTINGS.taskHeartbeatTimeoutSeconds,
      taskQueuedTimeoutSeconds: config.UPDRAFT_TASK_QUEUED_TIMEOUT_SECONDS ?? DEFAULT_SCHEDULER_SETTINGS.taskQueuedTimeoutSeconds,
    },
  };
}
