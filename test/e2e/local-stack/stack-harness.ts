import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DagRunKey } from '../../../src/core/model/keys.ts';
import { taskLogKey } from '../../../src/core/model/workload.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../../src/core/model/records.ts';
import { FINISHED_DAG_RUN_STATES } from '../../../src/core/model/states.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { LocalStack, type LocalStackOptions } from '../../../src/local/local-stack.ts';
import { triggerDagRun } from '../../../src/services/scheduler/index.ts';
import { expect } from 'vitest';

/** Keeps the tail of the workers' output, so a failing test can show what the tasks printed. */
export class OutputTail extends Writable {
  private text = '';

  constructor(private readonly limit = 500_000) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
    done();
  }

  get tail(): string {
    return this.text;
  }
}

export interface TestStack {
  stack: LocalStack;
  output: OutputTail;
}

/** One in-memory local stack per test file: each start costs seconds, so files share theirs. */
export async function startTestStack(
  options: Pick<LocalStackOptions, 'dagsFolder'> & Partial<LocalStackOptions>,
): Promise<TestStack> {
  const output = new OutputTail();
  const stack = await LocalStack.start({
    home: null,
    workers: 2,
    executionApiPort: 0,
    logger: silentLogger,
    workerOutput: output,
    ...options,
  });
  return { stack, output };
}

export interface TestStackWithDags extends TestStack {
  /** The DAG folder, for tests that change files in it. */
  dagsFolder: string;
  /** Stops the stack and removes the folder. */
  close: () => Promise<void>;
}

/** A stack over a fresh folder holding `files` (name → source), synced once before it is returned. */
export async function startStackWithDagFiles(
  files: Record<string, string>,
  options: Partial<LocalStackOptions> = {},
): Promise<TestStackWithDags> {
  const workDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-'));
  const dagsFolder = join(workDir, 'dags');
  mkdirSync(dagsFolder);
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dagsFolder, name), source);
  const started = await startTestStack({ ...options, dagsFolder });
  await started.stack.dagSync.syncAll();
  return {
    ...started,
    dagsFolder,
    close: async () => {
      await started.stack.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * As `startStackWithDagFiles`, for tests that rely on the tick as local mode runs it: checks that every
 * file imported, then ticks every `tickMs`.
 */
export async function startTickingStackWithDagFiles(files: Record<string, string>, tickMs = 250): Promise<TestStackWithDags> {
  const started = await startStackWithDagFiles(files);
  expect(await started.stack.metastore.listImportErrors()).toEqual([]);
  started.stack.startTicking(tickMs);
  return started;
}

/**
 * Triggers a manual run and moves it to running at once, as the tick would, so the test does not depend
 * on the tick's timing for the start; the fast path then queues the first tasks.
 */
export async function triggerAndStart(
  stack: LocalStack,
  request: { dagId: string; logicalDate?: Date; conf?: Record<string, unknown> },
): Promise<DagRunKey> {
  const run = await triggerDagRun(stack.schedulerDeps, request);
  const key: DagRunKey = { dagId: run.dagId, runId: run.runId };
  await stack.metastore.updateDagRun(key, { state: 'running', startDate: new Date() }, { state: 'queued' });
  await stack.runScheduler.scheduleRunSoon(key);
  return key;
}

export interface WaitOptions {
  timeoutMs?: number;
  /**
   * Schedule the run on every poll, standing in for the tick (as `updraft dags test` does): retries
   * whose delay has passed are queued without a tick loop, which would also create scheduled runs.
   */
  scheduleEachPoll?: boolean;
  output?: OutputTail;
}

/** Waits for the run to finish; on timeout the failure names every task instance's state and try. */
export async function waitForRunEnd(stack: LocalStack, key: DagRunKey, options: WaitOptions = {}): Promise<DagRunRecord> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    if (options.scheduleEachPoll) await stack.runScheduler.scheduleRun(key);
    const run = await stack.metastore.getDagRun(key);
    if (run && FINISHED_DAG_RUN_STATES.has(run.state)) return run;
    if (Date.now() > deadline) {
      const tis = await stack.metastore.listTaskInstances(key);
      throw new Error(
        `Run ${key.dagId}/${key.runId} did not finish in time (state: ${run?.state ?? 'missing'}).\n` +
          `Task instances: ${describeTaskInstances(tis)}\n` +
          (options.output ? `Worker output (tail):\n${options.output.tail}` : ''),
      );
    }
    await pause(75);
  }
}

/** Polls until `check` returns a value (an event we cannot subscribe to), with a descriptive timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  describe?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}.${describe ? `\n${await describe()}` : ''}`);
    }
    await pause(75);
  }
}

/** `{ taskId: "state/tryNumber" }`, the shape tests compare whole runs with. */
export async function taskStates(stack: LocalStack, key: DagRunKey): Promise<Record<string, string>> {
  const tis = await stack.metastore.listTaskInstances(key);
  return Object.fromEntries(tis.map((ti) => [ti.mapIndex >= 0 ? `${ti.taskId}[${ti.mapIndex}]` : ti.taskId, `${ti.state}/${ti.tryNumber}`]));
}

/** The return values of a mapped task's instances, by map index (null where one pushed none). */
export async function mappedReturnValues(stack: LocalStack, key: DagRunKey, taskId: string): Promise<unknown[]> {
  const tis = (await stack.metastore.listTaskInstances(key)).filter((ti) => ti.taskId === taskId && ti.mapIndex >= 0);
  const values = await Promise.all(tis.map((ti) => stack.metastore.getXCom(ti, 'return_value')));
  return tis.map((ti, index) => ({ mapIndex: ti.mapIndex, value: values[index]?.value ?? null }))
    .sort((a, b) => a.mapIndex - b.mapIndex)
    .map((entry) => entry.value);
}

export function describeTaskInstances(tis: TaskInstanceRecord[]): string {
  return tis.map((ti) => `${ti.taskId}=${ti.state}(try ${ti.tryNumber})`).join(', ') || '(none)';
}

export async function returnValue(stack: LocalStack, key: DagRunKey, taskId: string): Promise<unknown> {
  const xcom = await stack.metastore.getXCom({ ...key, taskId, mapIndex: -1 }, 'return_value');
  if (!xcom) throw new Error(`Task ${taskId} of ${key.runId} pushed no return_value XCom.`);
  if (xcom.objectKey !== null) {
    const text = await stack.objectStore.getText(xcom.objectKey);
    return text === null ? null : JSON.parse(text);
  }
  return xcom.value;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * An attempt's task log. The runner writes it just after it reports the attempt's end, so a test that saw
 * the run end waits for it (what a user refreshing the log sees a moment later).
 */
export async function attemptLog(stack: LocalStack, key: DagRunKey, taskId: string, tryNumber = 1, mapIndex = -1): Promise<string> {
  return waitFor(`the log of ${taskId}${mapIndex >= 0 ? `[${mapIndex}]` : ''} (try ${tryNumber})`, () =>
    stack.objectStore.getText(taskLogKey({ ...key, taskId, mapIndex, tryNumber })),
  );
}
