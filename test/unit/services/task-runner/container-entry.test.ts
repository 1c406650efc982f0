import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import type { ObjectStore } from '../../../../src/core/ports/object-store.ts';
import { ExecutionApiUnreachableError } from '../../../../src/http/execution-api-client.ts';
import {
  ContainerStoppedError,
  exitCodeOf,
  loadContainerConfig,
  runContainerWorkload,
  type ContainerRunnerDeps,
} from '../../../../src/services/task-runner/container-entry.ts';
import type { runTask, TaskRunnerDeps, TaskRunOutcome } from '../../../../src/services/task-runner/run-task.ts';

const workload: ExecuteTaskWorkload = {
  kind: 'ExecuteTask',
  ti: { dagId: 'etl', runId: 'manual__2024-01-01', taskId: 'load', mapIndex: -1, tryNumber: 2 },
  versionId: 'v1',
  bundleKey: 'bundles/etl/v1.mjs',
  logKey: 'logs/dag_id=etl/run_id=manual__2024-01-01/task_id=load/attempt=2.log',
  token: 'token',
  queuedAt: '2024-01-01T00:00:00.000Z',
};

const baseEnv = () => ({
  UPDRAFT_WORKLOAD: JSON.stringify(workload),
  UPDRAFT_EXECUTION_API_URL: 'https://api.example.com/',
  UPDRAFT_BUCKET: 'updraft-bucket',
  PATH: '/usr/bin',
});

function recordingLogger() {
  const lines: Array<{ level: string; message: string; attributes?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) => void lines.push({ level, message, attributes });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const unusedStore = {} as ObjectStore;

function deps(run: typeof runTask, extra: Partial<ContainerRunnerDeps> = {}) {
  const { logger, lines } = recordingLogger();
  const signals = new EventEmitter();
  return {
    lines,
    signals,
    deps: { logger, objectStore: unusedStore, bundleLoader: { load: async () => ({}) }, workerId: 'w-1', signals, runTask: run, ...extra },
  };
}

describe('loadContainerConfig', () => {
  it('reads the workload, the API and the bucket, ignoring environment secrets and layered configuration', () => {
    const config = loadContainerConfig({ ...baseEnv(), UPDRAFT_CONN_WAREHOUSE: 'postgres://x', UPDRAFT_VAR_LIMIT: '3', UPDRAFT__CORE__EXECUTOR: 'fargate' });
    expect(config).toEqual({
      workload,
      executionApiUrl: 'https://api.example.com/',
      bucket: 'updraft-bucket',
      localS3: null,
      localWorkerName: null,
    });
  });

  it('names every missing or unknown variable', () => {
    expect(() => loadContainerConfig({ UPDRAFT_BUCKET: 'b', UPDRAFT_WORKLAOD: '{}' })).toThrow(
      'The task container configuration is not valid: UPDRAFT_WORKLOAD: Invalid input: expected string, received undefined; ' +
        'UPDRAFT_EXECUTION_API_URL: Invalid input: expected string, received undefined; ' +
        'unknown variable UPDRAFT_WORKLAOD (remove or fix the name). Known variables: UPDRAFT_WORKLOAD, UPDRAFT_EXECUTION_API_URL, UPDRAFT_BUCKET, ',
    );
  });

  it('says which field of the workload is wrong, in terms of the container variable', () => {
    const broken = { ...workload, ti: { ...workload.ti, tryNumber: 0 } };
    expect(() => loadContainerConfig({ ...baseEnv(), UPDRAFT_WORKLOAD: JSON.stringify(broken) })).toThrow(
      /^The task container configuration is not valid: UPDRAFT_WORKLOAD is not a task workload \(ti\.tryNumber: .*\)\. The fargate executor sets it/,
    );
    expect(() => loadContainerConfig({ ...baseEnv(), UPDRAFT_WORKLOAD: '{not json' })).toThrow(/UPDRAFT_WORKLOAD is not a task workload \(not JSON: /);
  });

  it('takes the local emulator settings only all together', () => {
    const local = {
      UPDRAFT_LOCAL_S3_ENDPOINT: 'http://127.0.0.1:4566',
      UPDRAFT_LOCAL_REGION: 'us-east-1',
      UPDRAFT_LOCAL_ACCESS_KEY_ID: 'local',
      UPDRAFT_LOCAL_SECRET_ACCESS_KEY: 'local',
    };
    expect(loadContainerConfig({ ...baseEnv(), ...local }).localS3).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
    expect(() => loadContainerConfig({ ...baseEnv(), UPDRAFT_LOCAL_S3_ENDPOINT: 'http://127.0.0.1:4566' })).toThrow(
      'UPDRAFT_LOCAL_S3_ENDPOINT, UPDRAFT_LOCAL_REGION, UPDRAFT_LOCAL_ACCESS_KEY_ID and UPDRAFT_LOCAL_SECRET_ACCESS_KEY go together',
    );
  });
});

describe('exitCodeOf', () => {
  it('fails the container only when the end of the attempt may be unknown to the API', () => {
    const cases: Array<[TaskRunOutcome, number]> = [
      [{ kind: 'finished', state: 'success' }, 0],
      [{ kind: 'finished', state: 'failed' }, 0],
      [{ kind: 'finished', state: 'skipped' }, 0],
      [{ kind: 'not_started', reason: 'not_queued' }, 0],
      [{ kind: 'interrupted', reason: 'not_running' }, 0],
      [{ kind: 'interrupted', reason: 'finish_failed' }, 1],
    ];
    expect(cases.map(([outcome]) => exitCodeOf(outcome))).toEqual(cases.map(([, code]) => code));
  });
});

describe('runContainerWorkload', () => {
  it('exits 1 with the configuration problem logged, and runs nothing, when the environment is wrong', async () => {
    let ran = false;
    const t = deps(async () => {
      ran = true;
      return { kind: 'finished', state: 'success' };
    });
    const env: Record<string, string | undefined> = { UPDRAFT_BUCKET: 'b', UPDRAFT_LOCAL_ACCESS_KEY_ID: 'secret' };
    expect(await runContainerWorkload(env, t.deps)).toBe(1);
    expect(ran).toBe(false);
    expect(t.lines[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/^The task container configuration is not valid: UPDRAFT_WORKLOAD: /) });
    // Even so, the local credentials do not stay in the environment.
    expect(env).toEqual({ UPDRAFT_BUCKET: 'b' });
  });

  it('runs the workload with the runner deps and exits 0 for a task that failed (the API has its state)', async () => {
    let seen: { workload: ExecuteTaskWorkload; deps: TaskRunnerDeps } | null = null;
    const t = deps(async (w, d) => {
      seen = { workload: w, deps: d };
      return { kind: 'finished', state: 'failed' };
    });
    expect(await runContainerWorkload(baseEnv(), t.deps)).toBe(0);
    expect(seen!.workload).toEqual(workload);
    expect(seen!.deps).toMatchObject({ apiBaseUrl: 'https://api.example.com/', workerId: 'w-1', objectStore: unusedStore });
    expect(t.lines.at(-1)).toMatchObject({
      level: 'info',
      message: 'Container attempt ended',
      attributes: { dag_id: 'etl', task_id: 'load', try_number: 2, outcome: 'finished', state: 'failed', exit_code: 0 },
    });
  });

  it('exits 1 when the attempt could not start (the API unreachable)', async () => {
    const t = deps(async () => {
      throw new ExecutionApiUnreachableError('The Task Execution API at https://api.example.com did not answer');
    });
    expect(await runContainerWorkload(baseEnv(), t.deps)).toBe(1);
    expect(t.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'The attempt could not be started; nothing ran. The executor will see exit code 1.',
      attributes: { task_id: 'load', error: expect.stringContaining('did not answer') },
    });
  });

  it('exits 1 when the end could not be reported', async () => {
    const t = deps(async () => ({ kind: 'interrupted', reason: 'finish_failed' }));
    expect(await runContainerWorkload(baseEnv(), t.deps)).toBe(1);
  });

  it('on SIGTERM, stops the running attempt through the runner and stops listening when it ends', async () => {
    let reason: unknown = null;
    const t = deps(async (_w, d) => {
      const signal = (d as TaskRunnerDeps & { stopSignal?: AbortSignal }).stopSignal!;
      t.signals.emit('SIGTERM');
      await new Promise((resolve) => (signal.aborted ? resolve(null) : signal.addEventListener('abort', resolve)));
      reason = signal.reason;
      return { kind: 'finished', state: 'failed' };
    });
    expect(await runContainerWorkload(baseEnv(), t.deps)).toBe(0);
    expect(reason).toBeInstanceOf(ContainerStoppedError);
    expect((reason as ContainerStoppedError).message).toContain('SIGTERM from ECS');
    expect(t.lines.some((line) => line.level === 'warn' && line.message.startsWith('SIGTERM received'))).toBe(true);
    expect(t.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('names the worker after the ECS task when the metadata endpoint answers', async () => {
    let workerId = '';
    const t = deps(async (_w, d) => {
      workerId = d.workerId;
      return { kind: 'finished', state: 'success' };
    }, { workerId: undefined });
    const metadataFetch: typeof fetch = async (input) => {
      expect(String(input)).toBe('http://169.254.170.2/v4/abc/task');
      return Response.json({ TaskARN: 'arn:aws:ecs:eu-west-1:123456789012:task/updraft/0123abcd' });
    };
    const env = { ...baseEnv(), ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc' };
    expect(await runContainerWorkload(env, { ...t.deps, fetch: metadataFetch })).toBe(0);
    expect(workerId).toBe('ecs:arn:aws:ecs:eu-west-1:123456789012:task/updraft/0123abcd');
  });
});
