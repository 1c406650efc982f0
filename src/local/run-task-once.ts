import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from '../core/model/connection.ts';
import type { TaskAttemptKey } from '../core/model/keys.ts';
import type { SerializedDag } from '../core/model/serialized-dag.ts';
import { serializeDag } from '../core/serialization/serialize-dag.ts';
import { deserializeTimetable } from '../core/timetables/deserialize.ts';
import { NotFoundError, UpdraftError } from '../core/errors.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { deferralOf, isDag, rescheduleDateOf, taskSignalOf, type Dag, type TaskDefinition } from '../sdk/index.ts';
import { bundleDagFile, defaultSdkEntry } from '../services/dag-processing/bundler.ts';
import { isDagFileloc } from '../services/dag-processing/dag-files.ts';
import { EnvironmentSecretsBackend } from '../services/secrets/environment-backend.ts';
import { SecretsService } from '../services/secrets/secrets-service.ts';
import type { AttemptInfo } from '../services/task-runner/attempt-info.ts';
import { ExecutionTimeoutError } from '../services/task-runner/errors.ts';
import { deferredFinish, describeDeferral } from '../services/task-runner/deferral.ts';
import { executeTask, type ExecuteOptions } from '../services/task-runner/execute-task.ts';
import { DEFAULT_POLL_TIMEOUT_MS } from '../services/triggerer/triggerer.ts';
import {
  InlineTriggerFailedError,
  InlineTriggerTimeoutError,
  InlineTriggerUnsupportedError,
  InlineWaitExceededError,
  waitForTriggerInline,
  waitOrRefuse,
  type InlineTriggerDeps,
} from './inline-trigger.ts';
import { TaskSecretAccess } from '../services/task-runner/secret-access.ts';
import { describeError, TaskLog } from '../services/task-runner/task-log.ts';
import { XComAccess } from '../services/task-runner/xcom-access.ts';

export interface RunTaskOnceOptions {
  dagId: string;
  taskId: string;
  dagsFolder: string;
  logicalDate?: Date;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  /**
   * The longest the test waits, in total, for the task's triggers to fire and for a rescheduled task's
   * next run (default 60 s). A wait that would go past it is refused at once, with a message.
   */
  maxTriggerWaitSeconds?: number;
  /** How the test waits (default: a timer); tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Pause between two polls of an I/O trigger (default 1 s). */
  triggerPollIntervalMs?: number;
  /** For `s3_key` triggers (default: an S3 client with the environment's AWS settings, made on first use). */
  s3?: S3Client;
  fetch?: typeof fetch;
}

export interface RunTaskOnceResult {
  /** `deferred` and `up_for_reschedule`: the test stopped while the task waited (see `unfinished`). */
  state: 'success' | 'skipped' | 'failed' | 'up_for_reschedule' | 'deferred';
  /** The task's log, as the runner writes it. */
  log: string;
  /** What the task returned, or pushed, in memory only. */
  xcoms: Record<string, unknown>;
  /** Why the test stopped before the task ended (a wait longer than the budget, a trigger it cannot run). */
  unfinished?: string;
}

export const DEFAULT_MAX_TRIGGER_WAIT_SECONDS = 60;

/** How one run of the task function ended: a final state, or a wait after which the same try runs again. */
type RunOutcome =
  | { kind: 'done'; state: 'success' | 'skipped' | 'failed' }
  | { kind: 'deferred'; deferral: NonNullable<ReturnType<typeof deferralOf>> }
  | { kind: 'reschedule'; at: Date; firstRescheduleDate: Date | null };

/**
 * `updraft tasks test`: Airflow's `tasks test`, one task instance run in this process, without checking
 * its dependencies and without recording anything: no DAG run, no task instance, no XCom, no log in the
 * metastore or bucket. Upstream XComs are absent (pulls answer null), as no upstream ran. Variables and
 * connections come from the environment (UPDRAFT_VAR_*, UPDRAFT_CONN_*); a variable the task sets is kept
 * in memory. A task that defers has its trigger run here (as Airflow's `dag.test()` runs triggers
 * inline) and resumes in the same try; a task rescheduled (a sensor in reschedule mode) runs again when
 * due: both within the `maxTriggerWaitSeconds` budget.
 */
export async function runTaskOnce(options: RunTaskOnceOptions): Promise<RunTaskOnceResult> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budgetSeconds = options.maxTriggerWaitSeconds ?? DEFAULT_MAX_TRIGGER_WAIT_SECONDS;
  const workspace = await mkdtemp(join(tmpdir(), 'updraft-tasks-test-'));
  try {
    const { dag, fileloc } = await loadDag(options.dagId, options.dagsFolder, workspace);
    const task = dag.tasks.get(options.taskId);
    if (!task) {
      throw new NotFoundError(`DAG "${dag.dagId}" has no task "${options.taskId}". Its tasks: ${[...dag.tasks.keys()].sort().join(', ')}.`);
    }
    if (task.operator === 'python') {
      throw new UpdraftError(
        'unsupported_operator',
        `Task "${task.taskId}" is a pythonTask, which runs in its own Python process through the Execution API; ` +
          '`tasks test` runs tasks in-process without an API. Use `updraft dags test` to run it.',
      );
    }
    const serialized = serializeDag(dag, fileloc);
    const logicalDate = options.logicalDate ?? now();
    const ti: TaskAttemptKey = {
      dagId: dag.dagId,
      taskId: task.taskId,
      // Airflow names the run of `tasks test` the same way: it exists only for this command.
      runId: `__airflow_temporary_run_${logicalDate.toISOString()}__`,
      mapIndex: -1,
      tryNumber: 1,
    };
    const info = attemptInfo(ti, serialized, logicalDate, task.retries + 1);
    const log = new TaskLog(now);
    const xcoms = new Map<string, unknown>();
    const secrets = new SecretsService([new EnvironmentSecretsBackend(options.env ?? process.env)]);
    const setVariables = new Map<string, string>();
    const access = {
      xcoms: new XComAccess(
        {
          getXCom: async (key, xcomKey) => (key.taskId === ti.taskId && xcoms.has(xcomKey) ? { key: xcomKey, value: xcoms.get(xcomKey) } : null),
          setXCom: async (_key, xcomKey, value) => void xcoms.set(xcomKey, value),
        },
        ti,
        {},
      ),
      secrets: new TaskSecretAccess(
        {
          getVariable: async (key) => setVariables.get(key) ?? (await secrets.getVariable(key).catch(() => null)),
          setVariable: async (key, value) => void setVariables.set(key, value),
          getConnection: async (connId): Promise<Connection> => secrets.getConnection(connId),
        },
        log.masker,
      ),
    };
    let s3 = options.s3;
    const triggerDeps: InlineTriggerDeps = {
      dag,
      ti,
      log,
      now,
      sleep,
      s3: () => (s3 ??= new S3Client({})),
      fetch: options.fetch ?? globalThis.fetch,
      getConnection: (connId) => secrets.getConnection(connId),
      pollIntervalMs: options.triggerPollIntervalMs ?? 1000,
      pollTimeoutMs: DEFAULT_POLL_TIMEOUT_MS,
    };
    const limits = { waitUntil: new Date(now().getTime() + budgetSeconds * 1000), budgetSeconds };
    log.info(`Testing ${dag.dagId}.${task.taskId} (logical date ${logicalDate.toISOString()}): dependencies are not checked and no state is recorded.`);
    for (;;) {
      const outcome = await runTaskFunction(task, info, access, log, now, (returned) => {
        if (task.doXcomPush && returned !== undefined && returned !== null) xcoms.set('return_value', returned);
        return xcoms.has('return_value') ? `; it returned ${JSON.stringify(xcoms.get('return_value'))}` : '';
      });
      if (outcome.kind === 'done') return { state: outcome.state, log: log.text(), xcoms: Object.fromEntries(xcoms) };
      try {
        if (outcome.kind === 'deferred') {
          // The same request a worker would send, so a timedelta becomes its moment exactly as in a deployment.
          const deferred = deferredFinish(outcome.deferral, now(), info);
          log.info(describeDeferral(deferred));
          const deferral = deferred.deferral!;
          const timeoutAt = deferral.triggerTimeout ? new Date(deferral.triggerTimeout) : null;
          const trigger = { kind: deferral.trigger.kind, kwargs: deferral.trigger.kwargs ?? {} };
          const event = await waitForTriggerInline(trigger, triggerDeps, { ...limits, timeoutAt });
          info.resume = { method: deferral.nextMethod, event: event ?? null, kwargs: { ...(deferral.nextKwargs ?? {}) } };
        } else {
          await waitOrRefuse(Math.max(0, outcome.at.getTime() - now().getTime()), outcome.at, triggerDeps, limits);
          info.firstRescheduleDate ??= outcome.firstRescheduleDate;
          info.resume = null;
          log.info('Running the task again (same try).');
        }
      } catch (error) {
        if (error instanceof InlineTriggerFailedError || error instanceof InlineTriggerTimeoutError) {
          log.error(`Task failed: ${error.message}`);
          return { state: 'failed', log: log.text(), xcoms: Object.fromEntries(xcoms) };
        }
        if (error instanceof InlineWaitExceededError || error instanceof InlineTriggerUnsupportedError) {
          log.warn(`Stopping the test: ${error.message}`);
          const state = outcome.kind === 'deferred' ? 'deferred' : 'up_for_reschedule';
          return { state, log: log.text(), xcoms: Object.fromEntries(xcoms), unfinished: error.message };
        }
        throw error;
      }
    }
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/** One run of the task's code, with the task's execution timeout; `returned` describes what it returned. */
async function runTaskFunction(
  task: TaskDefinition,
  info: AttemptInfo,
  access: Pick<ExecuteOptions, 'xcoms' | 'secrets'>,
  log: TaskLog,
  now: () => Date,
  returned: (value: unknown) => string,
): Promise<RunOutcome> {
  const controller = new AbortController();
  const timeout =
    task.executionTimeoutSeconds !== null && task.executionTimeoutSeconds > 0
      ? setTimeout(() => controller.abort(new ExecutionTimeoutError(task.executionTimeoutSeconds!)), task.executionTimeoutSeconds * 1000)
      : undefined;
  try {
    const result = await executeTask({
      task,
      info,
      ...access,
      log,
      signal: controller.signal,
      now,
      sensorRuntime: { now, firstPokeDate: info.firstRescheduleDate ?? null },
    });
    if (result.kind === 'reschedule') {
      log.info(`Sensor condition not met; it pokes again at ${result.rescheduleDate.toISOString()}.`);
      return { kind: 'reschedule', at: result.rescheduleDate, firstRescheduleDate: result.firstRescheduleDate };
    }
    if (result.kind === 'skipped') {
      log.info(result.message);
      return { kind: 'done', state: 'skipped' };
    }
    log.info(`Task succeeded${returned(result.returnValue)}.`);
    return { kind: 'done', state: 'success' };
  } catch (error) {
    const deferral = deferralOf(error);
    if (deferral) return { kind: 'deferred', deferral };
    return endStateOf(error, log);
  } finally {
    if (timeout) clearTimeout(timeout);
  }
}

function endStateOf(error: unknown, log: TaskLog): RunOutcome {
  const signal = taskSignalOf(error);
  if (signal === 'skip') {
    log.info(`Task skipped: ${error instanceof Error ? error.message : String(error)}`);
    return { kind: 'done', state: 'skipped' };
  }
  const rescheduleDate = rescheduleDateOf(error);
  if (rescheduleDate) {
    log.info(`The task asked to be rescheduled at ${rescheduleDate.toISOString()}.`);
    return { kind: 'reschedule', at: rescheduleDate, firstRescheduleDate: null };
  }
  log.error(`Task failed: ${describeError(error)}`);
  return { kind: 'done', state: 'failed' };
}

/** A manual run's data interval and the DAG's param defaults, as a triggered run would give them. */
function attemptInfo(ti: TaskAttemptKey, dag: SerializedDag, logicalDate: Date, maxTries: number): AttemptInfo {
  const interval = deserializeTimetable(dag.timetable).inferManualDataInterval(logicalDate);
  return {
    ti,
    maxTries,
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    runAfter: logicalDate,
    runType: 'manual',
    conf: {},
    params: Object.fromEntries(Object.entries(dag.params).map(([name, param]) => [name, param.default ?? null])),
  };
}

/**
 * Bundles the DAG files as the DAG processor does and imports them here until one defines the DAG;
 * files that mention the DAG id are tried first, so usually one file is imported.
 */
async function loadDag(dagId: string, dagsFolder: string, workspace: string): Promise<{ dag: Dag; fileloc: string }> {
  // The bundler reads `<root>/dags/<fileloc>`: the root is a throw-away folder whose `dags` is the user's.
  await symlink(dagsFolder, join(workspace, 'dags'), 'dir');
  const files = await dagFiles(dagsFolder);
  const mentions = await Promise.all(files.map(async (fileloc) => (await readFile(join(dagsFolder, fileloc), 'utf8')).includes(dagId)));
  const ordered = [...files.filter((_, i) => mentions[i]), ...files.filter((_, i) => !mentions[i])];
  const found: string[] = [];
  const failures: string[] = [];
  for (const [index, fileloc] of ordered.entries()) {
    const result = await bundleDagFile({ root: workspace, fileloc, sdkEntry: defaultSdkEntry() });
    if (!result.ok) {
      failures.push(`${fileloc}: ${result.failure.message}`);
      continue;
    }
    const file = join(workspace, `bundle-${index}.mjs`);
    await writeFile(file, result.bundle.code);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      failures.push(`${fileloc}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const value of Object.values(module)) {
      if (!isDag(value)) continue;
      if (value.dagId === dagId) return { dag: value, fileloc };
      found.push(value.dagId);
    }
  }
  throw new NotFoundError(
    `DAG "${dagId}" was not found in ${dagsFolder}. ` +
      (found.length ? `DAGs found: ${[...new Set(found)].sort().join(', ')}.` : 'No DAGs were found.') +
      (failures.length ? ` Files that failed to import:\n  ${failures.join('\n  ')}` : ''),
  );
}

async function dagFiles(dagsFolder: string): Promise<string[]> {
  const entries = await readdir(dagsFolder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dagsFolder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(isDagFileloc)
    .sort();
}
