import { z } from 'zod';
import { parseUpdraftEnvironment } from '../../core/env-config.ts';
import { DEFAULT_SCHEDULER_SETTINGS, type SchedulerSettings } from './settings.ts';

/** The scheduler function's configuration, from `UPDRAFT_*` environment variables, validated at start-up. */
const schema = z.strictObject({
  UPDRAFT_TABLE_NAME: z.string().min(1),
  UPDRAFT_TASK_QUEUE_URL: z.url(),
  // Issue #3 moves the key to Secrets Manager; until then it comes from the environment.
  UPDRAFT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  UPDRAFT_TASK_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
  UPDRAFT_TASK_QUEUED_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
});

export interface SchedulerFunctionConfig {
  tableName: string;
  taskQueueUrl: string;
  tokenSecret: string;
  settings: Omit<SchedulerSettings, 'schedulerId'>;
}

export function loadSchedulerConfig(env: Record<string, string | undefined>): SchedulerFunctionConfig {
  const config = parseUpdraftEnvironment(schema, env, 'scheduler');
  return {
    tableName: config.UPDRAFT_TABLE_NAME,
    taskQueueUrl: config.UPDRAFT_TASK_QUEUE_URL,
    tokenSecret: config.UPDRAFT_TOKEN_SECRET,
    settings: {
      ...DEFAULT_SCHEDULER_SETTINGS,
      taskHeartbeatTimeoutSeconds: config.UPDRAFT_TASK_HEARTBEAT_TIMEOUT_SECONDS ?? DEFAULT_SCHEDULER_SETTINGS.taskHeartbeatTimeoutSeconds,
      taskQueuedTimeoutSeconds: config.UPDRAFT_TASK_QUEUED_TIMEOUT_SECONDS ?? DEFAULT_SCHEDULER_SETTINGS.taskQueuedTimeoutSeconds,
    },
  };
}
