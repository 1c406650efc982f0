import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { attemptId, BaseExecutor, type BaseExecutorOptions } from '../core/executors/base-executor.ts';
import { UpdraftError } from '../core/errors.ts';
import { attemptKeyOf as attemptOf, type TaskAttemptKey } from '../core/model/keys.ts';
import type { TaskInstanceRecord } from '../core/model/records.ts';
import { executorLogKey, type ExecuteTaskWorkload } from '../core/model/workload.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import type { ExecutorCapabilities, ExecutorEventState, QueueOptions, TrackedAttempt } from '../core/ports/executor.ts';
import { taskProcessBaseEnv } from './worker-pool.ts';

export interface LocalProcessExecutorOptions extends Partial<BaseExecutorOptions> {
  /** 'local' by default; local mode also runs `fargate` with it (the container's entry as a child). */
  name?: string;
  /** Environment every child gets besides UPDRAFT_WORKLOAD (API URL, bucket, local S3 credentials). */
  environment: Record<string, string>;
  /** Default: the container's entry under tsx, with the parent watchdog preloaded (see defaultChildCommand). */
  command?: ChildCommand;
  /** Where child output goes, each line prefixed with the attempt (default: discarded). */
  output?: NodeJS.WritableStream;
  /** Lines kept per attempt for getTaskLog (default 10_000). */
  maxLogLines?: number;
  /** Where each attempt's output is also written when it ends (`executorLogKey`), so it outlives this process. */
  objectStore?: ObjectStore;
  /** How long a stopped child has between SIGTERM and SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

/** Output of this many attempts (the most recently started) is kept for getTaskLog. */
export const KEPT_ATTEMPT_LOGS = 200;
export const DEFAULT_MAX_LOG_LINES = 10_000;
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** The externalId of an attempt whose `delaySeconds` have not passed yet: it has no process id. */
export const PENDING_EXTERNAL_ID = 'local:pending';
/** Tells src/local/parent-watchdog.ts whom to outlive no longer (it deletes it before the entry runs). */
export const PARENT_PID_ENV = 'UPDRAFT_LOCAL_PARENT_PID';

/** The executor was ended or terminated; a process that is shutting down takes no new work. */
export class ExecutorClosedError extends UpdraftError {
  constructor(executor: string) {
    super('executor_closed', `Executor "${executor}" was ended and takes no new attempts; start a new one (restart the process).`);
  }
}

export interface ChildCommand {
  file: string;
  args: string[];
  /** Set on the child after everything else (the watchdog's parent pid). */
  env?: Record<string, string>;
}

/**
 * The container's entry (functions/container-worker.ts) run by tsx, with the parent watchdog preloaded
 * so the child leaves when this process dies. Both are resolved from this file, not the working folder.
 */
export function defaultChildCommand(): Required<ChildCommand> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const watchdog = new URL('./parent-watchdog.ts', import.meta.url).href;
  const entry = fileURLToPath(new URL('../../functions/container-worker.ts', import.meta.url));
  return {
    file: process.execPath,
    args: ['--import', tsx, '--import', watchdog, entry],
    env: { [PARENT_PID_ENV]: String(process.pid) },
  };
}

/**
 * What a child starts from: only what a process needs to run at all (PATH, HOME, LANG, TZ...), the
 * task's connections and variables, and AWS settings that are not credentials; never NODE_OPTIONS nor
 * this process's credentials. It is the local worker's base environment without its worker variables.
 */
function childBaseEnv(): Record<string, string> {
  const env = taskProcessBaseEnv();
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Every live child of every executor in this process, killed when the process exits. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function ownChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' listeners must be synchronous: SIGKILL is all there is time for (signals are sent at once).
    process.once('exit', () => {
      for (const owned of liveChildren) owned.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
}

interface AttemptLog {
  lines: string[];
  dropped: number;
}

/** One attempt this executor started (or holds back for its delay) and has not seen end. */
interface AttemptProcess {
  attempt: TaskAttemptKey;
  label: string;
  externalId: string | null;
  child: ChildProcess | null;
  delay: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
  spawnError: Error | null;
  lastStderr: string | null;
  /** Why it was stopped from here, when it was. */
  stopReason: string | null;
  /** The base no longer tracks it (cleared, stuck in queued): its end is not reported. */
  forgotten: boolean;
  ended: boolean;
  /** Resolves once the end has been reported. */
  done: Promise<void>;
  markDone: () => void;
}

/**
 * The `local` executor of `updraft standalone`: one child process per task attempt, bounded by the
 * base's slots (`parallelism`). The child runs the fargate container's entry, so an attempt runs as it
 * would in a container and reports through the Execution API; its exit code says whether the runner
 * could vouch for the attempt (docs/container-runner.md).
 */
export class LocalProcessExecutor extends BaseExecutor {
  readonly capabilities: ExecutorCapabilities = {
    isLocal: true,
    isProduction: false,
    supportsCallbacks: false,
    servesLogs: true,
    supportsDelayedStart: true,
  };
  private readonly environment: Record<string, string>;
  private readonly command: ChildCommand;
  private readonly output: NodeJS.WritableStream | null;
  private readonly objectStore: ObjectStore | null;
  private readonly maxLogLines: number;
  private readonly stopGraceMs: number;
  private readonly live = new Map<string, AttemptProcess>();
  /** By attemptId, oldest first; bounded to KEPT_ATTEMPT_LOGS. */
  private readonly logs = new Map<string, AttemptLog>();
  private closed = false;

  constructor(options: LocalProcessExecutorOptions) {
    super({ ...options, name: options.name ?? 'local' });
    this.environment = options.environment;
    this.command = options.command ?? defaultChildCommand();
    this.output = options.output ?? null;
    this.maxLogLines = options.maxLogLines ?? DEFAULT_MAX_LOG_LINES;
    this.objectStore = options.objectStore ?? null;
    this.stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  }

  /**
   * Spawns the child at once, or after `delaySeconds` (a timer in this process: the attempt is lost if
   * the process dies first, and the next scheduler finds it queued and unadoptable). The externalId is
   * `local:<pid>`; a delayed attempt has no pid yet and answers `local:pending`, and its events carry
   * the pid once it is known.
   */
  protected async executeAsync(workload: ExecuteTaskWorkload, options: QueueOptions): Promise<{ externalId: string | null }> {
    if (this.closed) throw new ExecutorClosedError(this.name);
    const id = attemptId(workload.ti);
    // A re-send of an attempt that already has a process (or a pending start) must not run it twice.
    const existing = this.live.get(id);
    if (existing) return { externalId: existing.externalId };

    let markDone!: () => void;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const record: AttemptProcess = {
      attempt: workload.ti,
      label: attemptLabel(workload.ti),
      externalId: null,
      child: null,
      delay: null,
      killTimer: null,
      spawnError: null,
      lastStderr: null,
      stopReason: null,
      forgotten: false,
      ended: false,
      done,
      markDone,
    };
    this.live.set(id, record);
    this.logs.delete(id);
    this.logs.set(id, { lines: [], dropped: 0 });
    for (const old of this.logs.keys()) {
      if (this.logs.size <= KEPT_ATTEMPT_LOGS) break;
      this.logs.delete(old);
    }

    const delayMs = Math.max(0, (options.delaySeconds ?? 0) * 1000);
    if (delayMs > 0 && Number.isFinite(delayMs)) {
      record.externalId = PENDING_EXTERNAL_ID;
      record.delay = setTimeout(() => {
        record.delay = null;
        this.spawnChild(id, record, workload);
        // The base tracked `local:pending`; its events should name the process.
        const tracked = this.trackedAttempts().find((t) => attemptId(t.attempt) === id);
        if (tracked && record.externalId) tracked.externalId = record.externalId;
      }, delayMs);
      return { externalId: PENDING_EXTERNAL_ID };
    }
    this.spawnChild(id, record, workload);
    return { externalId: record.externalId };
  }

  private spawnChild(id: string, record: AttemptProcess, workload: ExecuteTaskWorkload): void {
    const env = { ...childBaseEnv(), ...this.environment, UPDRAFT_WORKLOAD: JSON.stringify(workload), ...this.command.env };
    const child = spawn(this.command.file, this.command.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    record.child = child;
    record.externalId = child.pid === undefined ? null : `local:${child.pid}`;
    if (child.pid !== undefined) ownChild(child);
    child.once('error', (error) => {
      if (child.pid === undefined) record.spawnError = error;
    });
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.onLine(id, record, line));
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim() !== '') record.lastStderr = line;
      this.onLine(id, record, line);
    });
    // 'close' comes after the output is read to its end, so the last stderr line is known.
    child.once('close', (code, signal) => this.finish(id, record, describeExit(this.command.file, record, code, signal)));
    this.logger.debug('Started a task process', { executor: this.name, attempt: record.label, pid: child.pid ?? null });
  }

  private onLine(id: string, record: AttemptProcess, line: string): void {
    const log = this.logs.get(id);
    if (log) {
      log.lines.push(line);
      if (log.lines.length > this.maxLogLines) {
        log.lines.shift();
        log.dropped += 1;
      }
    }
    this.output?.write(`[${record.label}] ${line}\n`);
  }

  /**
   * Reports the end on the next turn of the event loop: a child that could not be spawned ends before
   * queueWorkload has tracked it, and the base must hold it before `changeState` frees its slot.
   */
  private finish(id: string, record: AttemptProcess, outcome: { state: ExecutorEventState; reason: string }): void {
    if (record.ended) return;
    record.ended = true;
    if (record.killTimer) clearTimeout(record.killTimer);
    if (this.live.get(id) === record) this.live.delete(id);
    setImmediate(() => {
      if (!record.forgotten) this.changeState(record.attempt, outcome.state, outcome.reason);
      void this.saveLog(id, record.attempt).finally(() => record.markDone());
    });
  }

  /** SIGTERM (the runner aborts the task and reports it), then SIGKILL after the grace. Does not wait. */
  override async stopAttempt(ti: TaskInstanceRecord, reason: string): Promise<void> {
    const id = attemptId(attemptOf(ti));
    const record = this.live.get(id);
    if (record) this.stop(id, record, reason);
  }

  private stop(id: string, record: AttemptProcess, reason: string): void {
    if (record.delay) {
      clearTimeout(record.delay);
      record.delay = null;
      this.finish(id, record, { state: 'failed', reason: `stopped before its delayed start: ${reason}` });
      return;
    }
    const child = record.child;
    if (!child || record.stopReason !== null || child.exitCode !== null || child.signalCode !== null) return;
    record.stopReason = reason;
    child.kill('SIGTERM');
    record.killTimer = setTimeout(() => child.kill('SIGKILL'), this.stopGraceMs);
  }

  /** The processes of another scheduler are not this process's children: only attempts it runs itself. */
  override async tryAdoptTaskInstances(tis: readonly TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    const refused: TaskInstanceRecord[] = [];
    for (const ti of tis) {
      const record = this.live.get(attemptId(attemptOf(ti)));
      if (record) record.forgotten = false;
      else refused.push(ti);
    }
    return refused;
  }

  private async saveLog(id: string, attempt: TaskAttemptKey): Promise<void> {
    const log = this.logs.get(id);
    if (!this.objectStore || !log || log.lines.length === 0) return;
    try {
      await this.objectStore.put(executorLogKey(attempt), `${log.lines.join('\n')}\n`, 'text/plain; charset=utf-8');
    } catch (error) {
      this.logger.warn(`Could not keep the output of an attempt's process: ${(error as Error).message}`, { executor: this.name });
    }
  }

  override async getTaskLog(ti: TaskAttemptKey, externalId: string | null): Promise<{ messages: string[]; lines: string[] }> {
    const log = this.logs.get(attemptId(ti));
    const saved = !log && this.objectStore ? await this.objectStore.getText(executorLogKey(ti)) : null;
    if (saved !== null) return { messages: [], lines: saved.replace(/\n$/, '').split('\n') };
    if (!log) {
      return {
        messages: [
          `The output of process ${externalId ?? '(unknown)'} is not kept: it ran in another process, before a restart, ` +
            `or more than ${KEPT_ATTEMPT_LOGS} attempts ago. The task's own log has what the task wrote.`,
        ],
        lines: [],
      };
    }
    const messages =
      log.dropped > 0 ? [`The first ${log.dropped} lines of the process output were dropped; the last ${this.maxLogLines} are kept.`] : [];
    return { messages, lines: [...log.lines] };
  }

  /** Waits for the children it started; delayed starts that have not happened are handed back (requeue). */
  override async end(): Promise<void> {
    this.closed = true;
    const records = [...this.live.values()];
    this.cancelDelayed('the executor ended before the delayed start');
    await Promise.all(records.map((record) => record.done));
  }

  /** Stops every child (SIGTERM, SIGKILL after the grace) and waits for them to be gone. */
  override async terminate(): Promise<void> {
    this.closed = true;
    const records = [...this.live.entries()];
    this.cancelDelayed('the executor was terminated before the delayed start');
    for (const [id, record] of records) this.stop(id, record, 'the executor was terminated');
    await Promise.all(records.map(([, record]) => record.done));
  }

  private cancelDelayed(reason: string): void {
    for (const [id, record] of [...this.live.entries()]) {
      if (!record.delay) continue;
      clearTimeout(record.delay);
      record.delay = null;
      this.finish(id, record, { state: 'requeue', reason });
    }
  }

  /** An attempt the scheduler no longer holds (cleared, stuck in queued): a pending start is dropped. */
  protected override onForgotten(attempt: TrackedAttempt): void {
    const id = attemptId(attempt.attempt);
    const record = this.live.get(id);
    if (!record) return;
    record.forgotten = true;
    if (record.delay) {
      clearTimeout(record.delay);
      record.delay = null;
      this.finish(id, record, { state: 'failed', reason: 'forgotten before its delayed start' });
    }
  }
}


function attemptLabel(ti: TaskAttemptKey): string {
  const mapIndex = ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : '';
  return `${ti.dagId}/${ti.runId}/${ti.taskId}${mapIndex}#${ti.tryNumber}`;
}

function describeExit(
  file: string,
  record: AttemptProcess,
  code: number | null,
  signal: NodeJS.Signals | null,
): { state: ExecutorEventState; reason: string } {
  if (record.spawnError) return { state: 'failed', reason: `could not start ${file}: ${record.spawnError.message}` };
  const exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
  // After a stop, exit 0 means the runner reported the attempt as stopped; the environment still failed it.
  if (record.stopReason !== null) return { state: 'failed', reason: `stopped (${record.stopReason}); ${exit}` };
  if (code === 0) return { state: 'success', reason: exit };
  const last = record.lastStderr === null ? '' : `: ${summarise(record.lastStderr)}`;
  return { state: 'failed', reason: `${exit}${last}` };
}

/** The runner logs JSON lines; its message is what a person needs from the last one. */
function summarise(line: string): string {
  let text = line.trim();
  try {
    const parsed = JSON.parse(text) as unknown;
    const { message, error } = (parsed ?? {}) as { message?: unknown; error?: unknown };
    if (typeof message === 'string') text = typeof error === 'string' ? `${message} (${error})` : message;
  } catch {
    // Not JSON: the line as it is.
  }
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
