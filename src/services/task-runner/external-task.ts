import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { UpdraftError } from '../../core/errors.ts';
import type { Connection } from '../../core/model/connection.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { ExecuteTaskWorkload } from '../../core/model/workload.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import {
  ExecutionApiClient,
  ExecutionApiUnreachableError,
  ExecutionConflictError,
} from '../../http/execution-api-client.ts';
import type { TaskDefinition } from '../../sdk/index.ts';
import { ExecutionTimeoutError, WorkerDeadlineError } from './errors.ts';
import type { SecretMasker } from '../secrets/secret-masker.ts';
import { describeError, TaskLog, type TaskLogLevel } from './task-log.ts';
import { keyOfFileloc } from '../dag-processing/dag-files.ts';
import type { MappedOverKeys } from './mapped-return-check.ts';

/**
 * Tasks whose code runs in another language's process. The worker does not start such an attempt
 * itself: the child process speaks the Task Execution API on its own (start, heartbeat, XCom,
 * finish) with the workload's token, and its exit code says how it ended. The worker supplies the
 * script, the environment, the log, the execution timeout, and a report when the child dies without
 * one. The protocol is docs/tasks-in-other-languages.md.
 */

/** Where the Python runtime lives; the defaults fit a checkout of the repository. */
export interface PythonRuntimeOptions {
  /** The interpreter (default `python3`, found on PATH). */
  command?: string;
  /** The client's entry file (default `sdk/python/updraft_task.py` of this repository). */
  clientPath?: string;
}

export interface ExternalTaskDeps {
  apiBaseUrl: string;
  objectStore: ObjectStore;
  workerId: string;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  deadlineMs?: number;
  python?: PythonRuntimeOptions;
  stopSignal?: AbortSignal;
}

/** Same shape as run-task.ts's TaskRunOutcome (kept structural so the two files do not import each other). */
export type ExternalTaskOutcome =
  | { kind: 'finished'; state: 'success' | 'failed' | 'skipped' | 'up_for_reschedule' }
  | { kind: 'not_started'; reason: string }
  | { kind: 'interrupted'; reason: string };

/** The exit codes of a task client (sdk/python/updraft_task.py and any other language's). */
export const EXTERNAL_EXIT_CODES = {
  success: 0,
  crashed: 1,
  failed: 2,
  notStarted: 3,
  skipped: 4,
  interrupted: 5,
  startUnavailable: 6,
  startRefused: 7,
  rescheduled: 8,
} as const;

/** A stderr line that starts with this carries its task-log level: `::updraft::WARNING text`. */
export const LOG_LEVEL_PREFIX = '::updraft::';

/**
 * A line that announces a secret the task has read: `::updraft::mask {"connection": {...}}` or
 * `::updraft::mask {"variable": {"key", "value"}}`. Accepted on either stream: each stream's lines are
 * handled in order, so a client that writes it to both has it registered before whatever it prints next.
 */
export const MASK_LINE_PREFIX = '::updraft::mask ';

/** Grace between SIGTERM and SIGKILL when the worker stops a child. */
const KILL_GRACE_MS = 5_000;

const DEFAULT_CLIENT_PATH = fileURLToPath(new URL('../../../sdk/python/updraft_task.py', import.meta.url));

/** The child refused to start for a reason a redelivery cannot fix (401, 403, 404 or 400 on start). */
export class ExternalTaskStartRefusedError extends UpdraftError {
  constructor(taskId: string) {
    super(
      'external_task_start_refused',
      `The Task Execution API refused to start task "${taskId}" for the Python client (see the worker output). ` +
        'Check the token lifetime and that the workers and the API run the same Updraft version.',
    );
  }
}

/**
 * Runs a `python` task in a `python3` child. Throws, like the start call of the in-process path, only
 * when nothing ran and a redelivery may help (ExecutionApiUnreachableError) or may not
 * (ExternalTaskStartRefusedError).
 */
export async function runExternalTask(
  workload: ExecuteTaskWorkload,
  task: TaskDefinition,
  deps: ExternalTaskDeps,
  mappedOver: MappedOverKeys = new Map(),
): Promise<ExternalTaskOutcome> {
  const now = deps.now ?? (() => new Date());
  const ti = workload.ti;
  const log = new TaskLog(now);
  const script = String(task.templateFields.script);
  const workDir = await mkdtemp(join(tmpdir(), 'updraft-python-'));
  try {
    const scriptPath = join(workDir, 'dags', ...script.split('/'));
    const body = await deps.objectStore.get(keyOfFileloc(script)).catch((error: unknown) => {
      log.error(`Could not read ${keyOfFileloc(script)} from the object store: ${describeError(error)}`);
      return null;
    });
    if (body) {
      await mkdir(dirname(scriptPath), { recursive: true });
      await writeFile(scriptPath, body);
    }
    log.info(`Running ${script}:${String(task.templateFields.callable)} of ${formatTaskInstanceKey(ti)} in a Python process on worker ${deps.workerId}`);

    const ended = await runChild(workload, task, scriptPath, workDir, deps, log, mappedOver);
    const outcome = await outcomeOf(ended, workload, deps, log, now);
    if (outcome === 'nothing_ran') {
      if (ended.code === EXTERNAL_EXIT_CODES.startUnavailable) {
        throw new ExecutionApiUnreachableError(`The Python client could not start ${formatTaskInstanceKey(ti)}: the Task Execution API was unavailable.`);
      }
      if (ended.code === EXTERNAL_EXIT_CODES.startRefused) throw new ExternalTaskStartRefusedError(ti.taskId);
      // Refused by the gate: the log object belongs to whoever runs the attempt, so it is not written.
      return { kind: 'not_started', reason: 'start_refused' };
    }
    try {
      await log.save(deps.objectStore, workload.logKey);
    } catch (error) {
      deps.logger.error('Could not write the task log', { task_id: ti.taskId, log_key: workload.logKey, error: describeError(error) });
    }
    return outcome;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the worker stopped the child (timeout, deadline), or why it could not start. */
  stoppedBy: Error | null;
  spawnError: Error | null;
}

function runChild(
  workload: ExecuteTaskWorkload,
  task: TaskDefinition,
  scriptPath: string,
  workDir: string,
  deps: ExternalTaskDeps,
  log: TaskLog,
  mappedOver: MappedOverKeys,
): Promise<ChildEnd> {
  const env: NodeJS.ProcessEnv = {
    // A minimal environment: the worker's own credentials and settings stay out of task code.
    ...pick(process.env, ['PATH', 'HOME', 'LANG', 'TZ']),
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    UPDRAFT_WORKLOAD: JSON.stringify(workload),
    UPDRAFT_EXECUTION_API_URL: deps.apiBaseUrl,
    UPDRAFT_WORKER_ID: deps.workerId,
    // Relative to the child's working directory, so tracebacks name `dags/<script>` as the user knows it.
    UPDRAFT_TASK_SCRIPT: relative(workDir, scriptPath),
    UPDRAFT_TASK_CALLABLE: String(task.templateFields.callable ?? 'main'),
    UPDRAFT_TASK_ARGS: JSON.stringify(task.args),
    UPDRAFT_TASK_DO_XCOM_PUSH: String(task.doXcomPush),
    // A bundle built by an older SDK may lack outlets.
    UPDRAFT_TASK_OUTLETS: JSON.stringify((task.outlets ?? []).map((outlet) => outlet.uri)),
    // Dynamic task mapping: the instance's map index (-1 when not mapped), and this task's XCom keys
    // that a mapped task maps over (key → who), which must be lists.
    UPDRAFT_MAP_INDEX: String(workload.ti.mapIndex),
    UPDRAFT_TASK_MAPPED_OVER: JSON.stringify(Object.fromEntries(mappedOver)),
  };
  const child = spawn(deps.python?.command ?? 'python3', [deps.python?.clientPath ?? DEFAULT_CLIENT_PATH], {
    cwd: workDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const streams = [
    forwardLines(child.stdout, (line) => {
      if (!takeMaskLine(line, log)) log.info(line);
    }),
    forwardLines(child.stderr, (line) => {
      if (takeMaskLine(line, log)) return;
      const leveled = parseLeveledLine(line);
      if (leveled) log.write(leveled.level, leveled.message);
      else log.error(line);
    }),
  ];

  let stoppedBy: Error | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: Error) => {
    if (stoppedBy || child.exitCode !== null) return;
    stoppedBy = reason;
    log.error(reason.message);
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  const timers: NodeJS.Timeout[] = [];
  const seconds = task.executionTimeoutSeconds;
  if (seconds !== null && seconds > 0) timers.push(setTimeout(() => stop(new ExecutionTimeoutError(seconds)), seconds * 1000));
  if (deps.deadlineMs !== undefined) {
    timers.push(setTimeout(() => stop(new WorkerDeadlineError()), Math.max(0, deps.deadlineMs - Date.now())));
  }
  const onStop = () => stop(deps.stopSignal?.reason instanceof Error ? deps.stopSignal.reason : new Error('The worker is stopping.'));
  if (deps.stopSignal?.aborted) onStop();
  else deps.stopSignal?.addEventListener('abort', onStop, { once: true });

  return new Promise<ChildEnd>((resolve) => {
    const finish = (end: Omit<ChildEnd, 'stoppedBy'>) => {
      for (const timer of timers) clearTimeout(timer);
      deps.stopSignal?.removeEventListener('abort', onStop);
      if (killTimer) clearTimeout(killTimer);
      void Promise.all(streams).then(() => resolve({ ...end, stoppedBy }));
    };
    child.once('error', (error) => finish({ code: null, signal: null, spawnError: error }));
    child.once('close', (code, signal) => finish({ code, signal, spawnError: null }));
  });
}

/** The attempt's outcome, or `nothing_ran` when the child did not get past the start gate. */
async function outcomeOf(
  ended: ChildEnd,
  workload: ExecuteTaskWorkload,
  deps: ExternalTaskDeps,
  log: TaskLog,
  now: () => Date,
): Promise<ExternalTaskOutcome | 'nothing_ran'> {
  const codes = EXTERNAL_EXIT_CODES;
  if (ended.spawnError) {
    const command = deps.python?.command ?? 'python3';
    return failOnBehalf(workload, deps, log, now, false,
      `Could not run "${command}" on this worker (${ended.spawnError.message}). ` +
        'Install Python 3 in the worker image, or run the task on an executor whose image has it.');
  }
  if (ended.stoppedBy) return failOnBehalf(workload, deps, log, now, true, `${ended.stoppedBy.name}: ${ended.stoppedBy.message}`);
  switch (ended.code) {
    case codes.success:
      return { kind: 'finished', state: 'success' };
    case codes.failed:
      return { kind: 'finished', state: 'failed' };
    case codes.skipped:
      return { kind: 'finished', state: 'skipped' };
    case codes.rescheduled:
      return { kind: 'finished', state: 'up_for_reschedule' };
    case codes.interrupted:
      return { kind: 'interrupted', reason: 'not_running' };
    case codes.notStarted:
    case codes.startUnavailable:
    case codes.startRefused:
      return 'nothing_ran';
    default: {
      const how = ended.code === null ? `was killed by signal ${ended.signal ?? 'unknown'}` : `exited with code ${ended.code}`;
      return failOnBehalf(workload, deps, log, now, true, `The Python process ${how} without reporting the end of the attempt.`);
    }
  }
}

/**
 * Ends an attempt whose child cannot: start is repeated first under the same worker id (answered as a
 * success when the child had started it, and it starts it when the child never got that far), so the
 * finish that follows is accepted.
 */
async function failOnBehalf(
  workload: ExecuteTaskWorkload,
  deps: ExternalTaskDeps,
  log: TaskLog,
  now: () => Date,
  retryable: boolean,
  error: string,
): Promise<ExternalTaskOutcome> {
  const ti = workload.ti;
  const client = new ExecutionApiClient({ baseUrl: deps.apiBaseUrl, token: workload.token, fetch: deps.fetch });
  log.error(`Task failed: ${error}`);
  if (!retryable) log.info('This failure is not retried.');
  try {
    await client.start(ti, { workerId: deps.workerId, pid: process.pid, startDate: now().toISOString() });
    await client.finish(ti, { state: 'failed', workerId: deps.workerId, endDate: now().toISOString(), retryable, error });
    log.info('Marking task as FAILED.');
    return { kind: 'finished', state: 'failed' };
  } catch (problem) {
    const reason = problem instanceof ExecutionConflictError ? (problem.reason ?? 'conflict') : 'finish_failed';
    log.error(`Could not report the end of the attempt (failed): ${(problem as Error).message}`);
    deps.logger.error('Could not report the end of the attempt', { task_id: ti.taskId, error: describeError(problem) });
    return { kind: 'interrupted', reason };
  }
}

export function parseLeveledLine(line: string): { level: TaskLogLevel; message: string } | null {
  if (!line.startsWith(LOG_LEVEL_PREFIX)) return null;
  const rest = line.slice(LOG_LEVEL_PREFIX.length);
  const space = rest.indexOf(' ');
  const level = space < 0 ? rest : rest.slice(0, space);
  if (level !== 'DEBUG' && level !== 'INFO' && level !== 'WARNING' && level !== 'ERROR') return null;
  return { level, message: space < 0 ? '' : rest.slice(space + 1) };
}

/** True when the line was a mask line: its secret is registered and the line itself never reaches the log. */
function takeMaskLine(line: string, log: TaskLog): boolean {
  if (!line.startsWith(MASK_LINE_PREFIX)) return false;
  if (!registerMaskLine(line.slice(MASK_LINE_PREFIX.length), log.masker)) {
    // Not echoed: a malformed announcement may still hold the secret.
    log.warn(`Ignored a malformed ${MASK_LINE_PREFIX.trim()} line from the task process (its content is not shown). ` +
      'It must be JSON: {"connection": {...}} or {"variable": {"key": "...", "value": "..."}}.');
  }
  return true;
}

/** Registers the secret a mask line's JSON names; false when the JSON is not one of the two shapes. */
export function registerMaskLine(json: string, masker: Pick<SecretMasker, 'addConnection' | 'addVariable'>): boolean {
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    return false;
  }
  if (!isRecord(payload)) return false;
  const { connection, variable } = payload;
  if (isRecord(connection)) {
    masker.addConnection(connectionOf(connection));
    return true;
  }
  if (isRecord(variable) && typeof variable.key === 'string' && typeof variable.value === 'string') {
    masker.addVariable(variable.key, variable.value);
    return true;
  }
  return false;
}

/** The camelCase connection as the Execution API answered it to the client; only its secret parts matter here. */
function connectionOf(body: Record<string, unknown>): Connection {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    connId: text(body.connId) ?? '',
    connType: text(body.connType) ?? '',
    host: text(body.host),
    login: text(body.login),
    password: text(body.password),
    schema: text(body.schema),
    port: typeof body.port === 'number' ? body.port : null,
    extra: isRecord(body.extra) ? body.extra : {},
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function forwardLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
    });
    stream.once('close', () => {
      if (pending !== '') onLine(pending);
      resolve();
    });
  });
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of names) if (env[name] !== undefined) out[name] = env[name];
  return out;
}
