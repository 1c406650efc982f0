import { NotFoundError, UpdraftError } from '../core/errors.ts';
import type { DagRunKey } from '../core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../core/model/records.ts';
import { FINISHED_DAG_RUN_STATES } from '../core/model/states.ts';
import { taskLogKey } from '../core/model/workload.ts';
import type { Logger } from '../core/ports/logger.ts';
import { triggerDagRun } from '../services/scheduler/index.ts';
import { LocalStack } from './local-stack.ts';

export interface RunDagOnceOptions {
  dagId: string;
  dagsFolder: string;
  logicalDate?: Date;
  conf?: Record<string, unknown>;
  timeoutSeconds: number;
  logger: Logger;
  workerOutput?: NodeJS.WritableStream;
  /** Told about each task instance state change, for progress output. */
  onTaskState?: (ti: TaskInstanceRecord) => void;
}

export interface RunDagOnceResult {
  run: DagRunRecord;
  taskInstances: TaskInstanceRecord[];
  /** Logs of the attempts that did not succeed, keyed by task id. */
  failureLogs: Record<string, string>;
}

/**
 * `updraft dags test`: one run of one DAG, to the end, on a throw-away local stack (in-memory
 * emulators), through the real DAG processor, scheduler, queue, workers and Execution API. Unlike the
 * tick, it creates no scheduled runs: only the one run asked for.
 */
export async function runDagOnce(options: RunDagOnceOptions): Promise<RunDagOnceResult> {
  const stack = await LocalStack.start({
    home: null,
    dagsFolder: options.dagsFolder,
    workers: 2,
    executionApiPort: 0,
    logger: options.logger,
    workerOutput: options.workerOutput,
  });
  try {
    await stack.dagSync.syncAll();
    const dag = await stack.metastore.getDag(options.dagId);
    if (!dag || !dag.isActive) {
      const known = (await stack.metastore.listDags()).filter((d) => d.isActive).map((d) => d.dagId);
      const errors = await stack.metastore.listImportErrors();
      const errorText = errors.map((e) => `\n  ${e.fileloc}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('');
      throw new NotFoundError(
        `DAG "${options.dagId}" was not found in ${options.dagsFolder}. ` +
          (known.length ? `DAGs found: ${known.join(', ')}.` : 'No DAGs were found.') +
          (errors.length ? ` Files that failed to import:${errorText}` : ''),
      );
    }
    const run = await triggerDagRun(stack.schedulerDeps, {
      dagId: options.dagId,
      logicalDate: options.logicalDate,
      conf: options.conf,
    });
    const key: DagRunKey = { dagId: run.dagId, runId: run.runId };
    await stack.metastore.updateDagRun(key, { state: 'running', startDate: new Date() }, { state: 'queued' });
    const finished = await driveToEnd(stack, key, options);
    const taskInstances = await stack.metastore.listTaskInstances(key);
    const failureLogs: Record<string, string> = {};
    for (const ti of taskInstances) {
      if (ti.state === 'success' || ti.state === 'skipped' || ti.tryNumber === 0) continue;
      const log = await logOf(stack, ti);
      if (log) failureLogs[ti.taskId] = log;
    }
    return { run: finished, taskInstances, failureLogs };
  } finally {
    await stack.stop();
  }
}

/**
 * The runner saves an attempt's log just after it reports the attempt's end (and after its callbacks,
 * so their output is in it): a run can end a moment before its last log exists. Wait for it briefly.
 */
async function logOf(stack: LocalStack, ti: TaskInstanceRecord): Promise<string | null> {
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const log = await stack.objectStore.getText(taskLogKey(ti));
    if (log !== null || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How long a finished attempt's log may take to appear. Most attempts have no callbacks and save it
 * within milliseconds; a log that never comes (a worker that died) must not hold the command long.
 */
const LOG_WAIT_MS = 10_000;

async function driveToEnd(stack: LocalStack, key: DagRunKey, options: RunDagOnceOptions): Promise<DagRunRecord> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const seen = new Map<string, string>();
  for (;;) {
    // The fast path moves the run along as tasks finish; this pass stands in for the tick (retries
    // that came due, workers that died), without the tick's creation of scheduled runs.
    await stack.runScheduler.scheduleRun(key);
    const tis = await stack.metastore.listTaskInstances(key);
    for (const ti of tis) {
      const marker = `${ti.state}:${ti.tryNumber}`;
      if (seen.get(ti.taskId) !== marker) {
        seen.set(ti.taskId, marker);
        options.onTaskState?.(ti);
      }
    }
    const run = await stack.metastore.getDagRun(key);
    if (!run) throw new NotFoundError(`DAG run ${key.runId} disappeared while it was being tested.`);
    if (FINISHED_DAG_RUN_STATES.has(run.state)) return run;
    if (Date.now() > deadline) {
      throw new UpdraftError(
        'timeout',
        `The run did not finish within ${options.timeoutSeconds} s (state: ${run.state}). ` +
          'Raise --timeout, or look at the task states above for a task that never starts.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
