/**
 * At-least-once delivery and crashed workers, end to end: every task message is sent to SQS twice, and a
 * worker process is killed in the middle of a task. The tick runs as it does in local mode.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunKey } from '../../../src/core/model/keys.ts';
import type { ExecuteTaskWorkload } from '../../../src/core/model/workload.ts';
import type { Executor, QueueOptions } from '../../../src/core/ports/executor.ts';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import { triggerDagRun } from '../../../src/services/scheduler/index.ts';
import {
  describeTaskInstances,
  returnValue,
  startTestStack,
  taskStates,
  waitFor,
  waitForRunEnd,
  type OutputTail,
} from './stack-harness.ts';

const workDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-delivery-'));
const dagsFolder = join(workDir, 'dags');
const linesFile = join(workDir, 'lines.txt');

const APPEND_DAG = `
import { bash, chain, dag } from 'updraft/sdk';

const append = (taskId: string) => bash({ taskId, bashCommand: 'echo ' + taskId + " >> '${linesFile}'" });

export default dag({ dagId: 'append_lines', schedule: null }, () => {
  chain(append('first'), [append('left'), append('right')], append('last'));
});
`;

// Try 1 hangs inside the worker process, so it dies with it; try 2 returns at once.
const CRASH_DAG = `
import { dag, task } from 'updraft/sdk';

const survivor = task({ taskId: 'survivor', retries: 1, retryDelay: 0 }, async (ctx) => {
  if (ctx.ti.tryNumber === 1) await new Promise((resolve) => setTimeout(resolve, 600_000));
  return 'finished on try ' + ctx.ti.tryNumber;
});

export default dag({ dagId: 'worker_crash', schedule: null }, () => {
  survivor();
});
`;

let stack: LocalStack;
let output: OutputTail;

beforeAll(async () => {
  mkdirSync(dagsFolder);
  writeFileSync(join(dagsFolder, 'append-lines.ts'), APPEND_DAG);
  writeFileSync(join(dagsFolder, 'worker-crash.ts'), CRASH_DAG);
  ({ stack, output } = await startTestStack({
    dagsFolder,
    heartbeatIntervalSeconds: 1,
    schedulerSettings: { taskHeartbeatTimeoutSeconds: 6 },
    // SQS delivers at least once: simulate the second delivery of every task message.
    decorateExecutor: (executor) =>
      Object.assign(Object.create(executor) as Executor, {
        queueWorkload: async (workload: ExecuteTaskWorkload, options?: QueueOptions) => {
          await executor.queueWorkload(workload, options);
          return executor.queueWorkload(workload, options);
        },
      }),
  }));
  await stack.dagSync.syncAll();
  expect(await stack.metastore.listImportErrors()).toEqual([]);
  stack.startTicking(250);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

async function trigger(dagId: string): Promise<DagRunKey> {
  // The tick starts the queued run (the same path a scheduled run takes).
  const run = await triggerDagRun(stack.schedulerDeps, { dagId });
  return { dagId: run.dagId, runId: run.runId };
}

/** The workers' JSON log lines (a line cut at the start of the kept tail is ignored). */
function workerLogLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('delivery and crashes on the local stack', () => {
  it('runs each attempt once when every task message is delivered twice', async () => {
    const key = await trigger('append_lines');
    const run = await waitForRunEnd(stack, key, { output });
    expect(run.state).toBe('success');
    expect(await taskStates(stack, key)).toEqual({
      first: 'success/1',
      left: 'success/1',
      right: 'success/1',
      last: 'success/1',
    });
    const lines = readFileSync(linesFile, 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual(['first', 'last', 'left', 'right']);
    // The second copy of every message did reach a worker, which refused to run it.
    const refused = await waitFor('every duplicate delivery to be refused', async () => {
      const taskIds = workerLogLines(output.tail)
        .filter((line) => line.dag_id === 'append_lines' && line.outcome === 'not_started')
        .map((line) => String(line.task_id))
        .sort();
      return taskIds.length >= 4 ? taskIds : null;
    });
    expect(refused).toEqual(['first', 'last', 'left', 'right']);
  }, 60_000);

  it('retries a task whose worker was killed mid-task, and replaces the worker', async () => {
    const key = await trigger('worker_crash');
    const tiKey = { ...key, taskId: 'survivor', mapIndex: -1 };
    const explain = async () =>
      `Task instances: ${describeTaskInstances(await stack.metastore.listTaskInstances(key))}\n` +
      `Worker output (tail):\n${output.tail}`;
    const running = await waitFor(
      'survivor to run its first try',
      async () => {
        const ti = await stack.metastore.getTaskInstance(tiKey);
        return ti?.state === 'running' && ti.tryNumber === 1 && ti.workerId ? ti : null;
      },
      30_000,
      explain,
    );

    // workerId is `<hostname>:<pid>:<worker name>`.
    const [workerName, pidText] = running.workerId!.split(':').reverse();
    const pid = Number(pidText);
    const victim = stack.workers.processes.get(workerName!);
    // Only ever kill a process this stack started.
    expect(victim?.pid).toBe(pid);
    process.kill(pid, 'SIGKILL');

    const run = await waitForRunEnd(stack, key, { output, timeoutMs: 45_000 });
    expect(run.state).toBe('success');
    expect(await taskStates(stack, key)).toEqual({ survivor: 'success/2' });
    expect(await returnValue(stack, key, 'survivor')).toBe('finished on try 2');
    const finished = await stack.metastore.getTaskInstance(tiKey);
    expect(finished?.workerId).not.toBe(running.workerId);

    const replacement = await waitFor('the pool to replace the killed worker', async () => {
      const child = stack.workers.processes.get(workerName!);
      return child && child.pid !== pid && child.exitCode === null ? child : null;
    });
    expect(replacement.pid).not.toBe(pid);
    expect(stack.workers.processes.size).toBe(2);
  }, 90_000);
});
