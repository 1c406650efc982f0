/**
 * The `local` executor: real child processes running the container's entry against the Execution API
 * (DynamoDB Local) and S3 (fauxqs), plus small stand-in commands where only the process matters.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3/object-store.ts';
import { ExecutorFullError } from '../../../src/core/executors/base-executor.ts';
import type { TaskInstanceRecord } from '../../../src/core/model/records.ts';
import type { ExecuteTaskWorkload } from '../../../src/core/model/workload.ts';
import { RecordingMetrics } from '../../../src/core/ports/metrics.ts';
import {
  defaultChildCommand,
  ExecutorClosedError,
  LocalProcessExecutor,
  PENDING_EXTERNAL_ID,
  type LocalProcessExecutorOptions,
} from '../../../src/local/local-process-executor.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';
import { createRunnerHarness } from '../services/task-runner/runner-harness.ts';

let h: Awaited<ReturnType<typeof createRunnerHarness>>;
let bucket: string;
let store: S3ObjectStore;
let s3: ReturnType<typeof createS3Client>;
const executors: LocalProcessExecutor[] = [];

beforeAll(async () => {
  h = await createRunnerHarness('local-executor');
  s3 = createS3Client(emulatorClientOptions());
  bucket = uniqueName('local-executor');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ObjectStore({ client: s3, bucket });
});

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.terminate()));
});

afterAll(async () => {
  s3?.destroy();
  await h?.close();
});

/** What local mode gives every child besides its workload. */
function environment(apiUrl = h.apiUrl): Record<string, string> {
  const options = emulatorClientOptions();
  return {
    UPDRAFT_EXECUTION_API_URL: apiUrl,
    UPDRAFT_BUCKET: bucket,
    UPDRAFT_LOCAL_S3_ENDPOINT: options.s3Endpoint!,
    UPDRAFT_LOCAL_REGION: options.region!,
    UPDRAFT_LOCAL_ACCESS_KEY_ID: options.credentials!.accessKeyId,
    UPDRAFT_LOCAL_SECRET_ACCESS_KEY: options.credentials!.secretAccessKey,
  };
}

function executor(options: Partial<LocalProcessExecutorOptions> = {}): { executor: LocalProcessExecutor; output: () => string } {
  let text = '';
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const created = new LocalProcessExecutor({ environment: environment(), output, ...options });
  executors.push(created);
  return { executor: created, output: () => text };
}

/** Queues an attempt in the metastore and puts its DAG bundle in the children's bucket. */
async function queued(taskId: string): Promise<ExecuteTaskWorkload> {
  const workload = await h.queue(await h.seedRun(), taskId);
  const bundle = await h.objectStore.get(workload.bundleKey);
  await store.put(workload.bundleKey, bundle!, 'text/javascript');
  return workload;
}

/** A stand-in command: plain node running `program`, no runner. */
function node(program: string): { file: string; args: string[] } {
  return { file: process.execPath, args: ['-e', program] };
}

describe('LocalProcessExecutor with the container entry', () => {
  it('runs an attempt in a child: success event with its pid, the task succeeded, its output kept', async () => {
    const { executor: local, output } = executor();
    const workload = await queued('extract');

    const { externalId } = await local.queueWorkload(workload);
    expect(externalId).toMatch(/^local:\d+$/);
    await local.end();

    expect(local.drainEvents()).toEqual([{ attempt: workload.ti, state: 'success', reason: 'exited with code 0', externalId }]);
    expect((await h.ti(workload))?.state).toBe('success');
    expect(await store.getText(workload.logKey)).toContain('extracting');
    const log = await local.getTaskLog(workload.ti, externalId);
    expect(log.lines.join('\n')).toContain('"message":"Container attempt ended"');
    expect(output()).toContain(`[runner_test/${workload.ti.runId}/extract#1] `);
  });

  it('reports success for a task that failed: the runner reported it, and it is up for retry', async () => {
    const { executor: local } = executor();
    const workload = await queued('flaky');
    await local.queueWorkload(workload);
    await local.end();
    expect(local.drainEvents().map((event) => event.state)).toEqual(['success']);
    expect((await h.ti(workload))?.state).toBe('up_for_retry');
  });

  it('reports failed with the exit code and the last error when the runner cannot vouch for the attempt', async () => {
    const { executor: local } = executor({ environment: environment('http://127.0.0.1:9') });
    const workload = await queued('extract');
    await local.queueWorkload(workload);
    await local.end();
    const [event] = local.drainEvents();
    expect(event?.state).toBe('failed');
    expect(event?.reason).toMatch(/^exited with code 1: The attempt could not be started; nothing ran/);
    expect((await h.ti(workload))?.state).toBe('queued');
  });

  it('stops a running attempt: SIGTERM, the runner reports the task failed, the event is failed', async () => {
    const { executor: local } = executor();
    const workload = await queued('watched');
    await local.queueWorkload(workload);
    let ti: TaskInstanceRecord | null = null;
    await vi.waitFor(
      async () => {
        ti = await h.ti(workload);
        expect(ti?.state).toBe('running');
      },
      { timeout: 20_000, interval: 100 },
    );

    await local.stopAttempt(ti!, 'cleared by a user');
    await local.end();

    const [event] = local.drainEvents();
    expect(event?.state).toBe('failed');
    expect(event?.reason).toBe('stopped (cleared by a user); exited with code 0');
    expect((await h.ti(workload))?.state).toBe('failed');
    expect(await store.getText(workload.logKey)).toContain('ContainerStoppedError');
  });

  it('holds parallelism: a second attempt is refused while the first runs; heartbeat reports the slots', async () => {
    const metrics = new RecordingMetrics();
    const { executor: local } = executor({ parallelism: 1, metrics, name: 'fargate' });
    const first = await queued('extract');
    const second = await queued('extract');
    await local.queueWorkload(first);

    await expect(local.queueWorkload(second)).rejects.toBeInstanceOf(ExecutorFullError);
    await local.heartbeat();
    const gauges = () => Object.fromEntries(metrics.points.map((point) => [point.name, [point.value, point.dimensions.executor]]));
    expect(gauges()).toEqual({
      'executor.open_slots': [0, 'fargate'],
      'executor.queued_slots': [1, 'fargate'],
      'executor.running_tasks': [0, 'fargate'],
    });

    await local.end();
    metrics.clear();
    await local.heartbeat();
    expect(gauges()['executor.open_slots']).toEqual([1, 'fargate']);
    expect((await h.ti(first))?.state).toBe('success');
    expect((await h.ti(second))?.state).toBe('queued');
  });
});

describe('LocalProcessExecutor processes', () => {
  const workload = (taskId: string): ExecuteTaskWorkload => h.workloadFor({ dagId: 'd', runId: 'r', taskId, mapIndex: 2, tryNumber: 1 });

  it('gives the child a minimal environment, the configured one and the workload', async () => {
    const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.NODE_OPTIONS = '--max-old-space-size=64';
    process.env.AWS_SECRET_ACCESS_KEY = 'parent-secret';
    try {
      const { executor: local } = executor({
        environment: { UPDRAFT_BUCKET: 'b' },
        command: node('console.log(JSON.stringify(process.env))'),
      });
      const sent = workload('env');
      await local.queueWorkload(sent);
      await local.end();
      const env = JSON.parse((await local.getTaskLog(sent.ti, null)).lines[0]!) as Record<string, string>;
      expect(env.UPDRAFT_BUCKET).toBe('b');
      expect(JSON.parse(env.UPDRAFT_WORKLOAD!)).toEqual(sent);
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.NODE_OPTIONS).toBeUndefined();
      expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('kills a child that ignores SIGTERM once the grace has passed', async () => {
    const { executor: local } = executor({
      stopGraceMs: 200,
      command: node("process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)"),
    });
    const sent = workload('stubborn');
    const { externalId } = await local.queueWorkload(sent);
    await vi.waitFor(async () => expect((await local.getTaskLog(sent.ti, externalId)).lines).toContain('ready'));

    await local.stopAttempt({ ...sent.ti, state: 'running' } as TaskInstanceRecord, 'timed out');
    await local.end();

    expect(local.drainEvents()).toEqual([
      { attempt: sent.ti, state: 'failed', reason: 'stopped (timed out); killed by SIGKILL', externalId },
    ]);
    expect((await local.getTaskLog(sent.ti, externalId)).lines).toEqual(['ready', 'ignoring SIGTERM']);
  });

  it('reports a command that cannot be spawned as failed', async () => {
    const { executor: local } = executor({ command: { file: '/nonexistent/updraft-runner', args: [] } });
    const sent = workload('missing');
    expect(await local.queueWorkload(sent)).toEqual({ externalId: null });
    await local.end();
    const [event] = local.drainEvents();
    expect(event?.state).toBe('failed');
    expect(event?.reason).toContain('could not start /nonexistent/updraft-runner: spawn /nonexistent/updraft-runner ENOENT');
  });

  it('starts a delayed attempt after its delay, and its event names the process', async () => {
    const { executor: local, output } = executor({ command: node("console.log('late'); process.exit(3)") });
    const sent = workload('delayed');
    expect(await local.queueWorkload(sent, { delaySeconds: 0.2 })).toEqual({ externalId: PENDING_EXTERNAL_ID });
    await vi.waitFor(() => expect(output()).toContain('[d/r/delayed[2]#1] late'));
    await local.end();
    const [event] = local.drainEvents();
    expect(event).toMatchObject({ state: 'failed', reason: 'exited with code 3' });
    expect(event?.externalId).toMatch(/^local:\d+$/);
  });

  it('on end, hands back delayed attempts that have not started and takes no new work', async () => {
    const { executor: local } = executor({ command: node('') });
    const sent = workload('never');
    await local.queueWorkload(sent, { delaySeconds: 600 });
    await local.end();
    expect(local.drainEvents()).toEqual([
      { attempt: sent.ti, state: 'requeue', reason: 'the executor ended before the delayed start', externalId: PENDING_EXTERNAL_ID },
    ]);
    expect(local.slots.open).toBe(32);
    await expect(local.queueWorkload(workload('after'))).rejects.toBeInstanceOf(ExecutorClosedError);
  });

  it('adopts only attempts it runs itself and says where the output of others is', async () => {
    const { executor: local } = executor({ command: node('') });
    const other = { ...workload('other').ti, state: 'running', externalExecutorId: 'local:1' } as unknown as TaskInstanceRecord;
    expect(await local.tryAdoptTaskInstances([other])).toEqual([other]);
    const log = await local.getTaskLog(workload('other').ti, 'local:1');
    expect(log.lines).toEqual([]);
    expect(log.messages[0]).toContain('The output of process local:1 is not kept: it ran in another process');
  });

  it('terminate stops every child', async () => {
    const { executor: local } = executor({ command: node("console.log('up'); setInterval(() => {}, 1000)") });
    const sent = workload('forever');
    const { externalId } = await local.queueWorkload(sent);
    await vi.waitFor(async () => expect((await local.getTaskLog(sent.ti, externalId)).lines).toContain('up'));
    await local.terminate();
    expect(local.drainEvents()).toEqual([
      { attempt: sent.ti, state: 'failed', reason: 'stopped (the executor was terminated); killed by SIGTERM', externalId },
    ]);
  });
});

describe('no orphans', () => {
  const spawned: number[] = [];
  // Should a test fail, the processes it started must not outlive it.
  afterEach(() => {
    for (const pid of spawned.splice(0)) {
      try {
        // Only ours: a pid that was freed may have been given to another process since.
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('setInterval')) process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already, as it should be.
      }
    }
  });

  /** Runs `program` as a parent process; answers the child pid it prints and the parent. */
  async function parent(program: string, args: string[] = []): Promise<{ childPid: number; kill: () => void }> {
    const proc = spawn(process.execPath, [...args, '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      proc.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      spawned.push(proc.pid!);
      proc.once('exit', (code) => reject(new Error(`the parent exited with ${code} before starting a child`)));
    });
    spawned.push(childPid);
    return { childPid, kill: () => proc.kill('SIGKILL') };
  }

  /** Gone, or a zombie waiting for whatever re-parented it to reap it: it runs no more either way. */
  const gone = (pid: number) => () => {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    expect(stat.split(') ')[1]?.[0]).toBe('Z');
  };

  it('kills its children when the process exits', async () => {
    const module = new URL('../../../src/local/local-process-executor.ts', import.meta.url).href;
    const { childPid } = await parent(
      `import { LocalProcessExecutor } from ${JSON.stringify(module)};
       const local = new LocalProcessExecutor({ environment: {}, command: { file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } });
       const ti = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1 };
       const { externalId } = await local.queueWorkload({ kind: 'ExecuteTask', ti });
       console.log(externalId.slice('local:'.length));
       setTimeout(() => process.exit(0), 300);`,
      ['--import', 'tsx'],
    );
    await vi.waitFor(gone(childPid), { timeout: 10_000, interval: 100 });
  });

  it('a child of the default command leaves when its parent is killed', async () => {
    const { args } = defaultChildCommand();
    const preload = args.slice(0, 4);
    expect(preload[2]).toBe('--import');
    // Killed at once, before the child has loaded: the watchdog knows its parent from the environment.
    const { childPid, kill } = await parent(
      `import { spawn } from 'node:child_process';
       const env = { ...process.env, UPDRAFT_LOCAL_PARENT_PID: String(process.pid) };
       const child = spawn(process.execPath, ${JSON.stringify([...preload, '-e', 'setInterval(() => {}, 1000)'])}, { stdio: 'ignore', env });
       console.log(child.pid);
       setInterval(() => {}, 1000);`,
    );
    kill();
    await vi.waitFor(gone(childPid), { timeout: 10_000, interval: 100 });
  });
});
