import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { loadSchedulerConfig } from '../../../../src/services/scheduler/lambda-config.ts';
import { DEFAULT_SCHEDULER_SETTINGS } from '../../../../src/services/scheduler/settings.ts';

const base = {
  UPDRAFT_TABLE_NAME: 'updraft',
  UPDRAFT_TASK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/updraft-tasks',
  UPDRAFT_TOKEN_SECRET: 'x'.repeat(32),
};

describe('loadSchedulerConfig', () => {
  it('applies the default timeouts unless they are set', () => {
    expect(loadSchedulerConfig(base).settings).toMatchObject({
      taskHeartbeatTimeoutSeconds: DEFAULT_SCHEDULER_SETTINGS.taskHeartbeatTimeoutSeconds,
      taskQueuedTimeoutSeconds: DEFAULT_SCHEDULER_SETTINGS.taskQueuedTimeoutSeconds,
    });
    expect(loadSchedulerConfig({ ...base, UPDRAFT_TASK_HEARTBEAT_TIMEOUT_SECONDS: '120' }).settings.taskHeartbeatTimeoutSeconds).toBe(120);
  });

  it('takes the signing key inline or from a Secrets Manager secret', () => {
    expect(loadSchedulerConfig(base).tokenKey).toEqual({ kind: 'inline', secret: 'x'.repeat(32) });
    const { UPDRAFT_TOKEN_SECRET: _, ...withoutKey } = base;
    expect(loadSchedulerConfig({ ...withoutKey, UPDRAFT_TOKEN_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:key' }).tokenKey).toEqual({
      kind: 'secrets_manager',
      secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:key',
    });
  });

  it('refuses a short token secret and unknown variables', () => {
    expect(() => loadSchedulerConfig({ ...base, UPDRAFT_TOKEN_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadSchedulerConfig({ ...base, UPDRAFT_PARALLELISM: '4' })).toThrow(/unknown variable UPDRAFT_PARALLELISM/);
  });
});
