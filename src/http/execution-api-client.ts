import { UpdraftError } from '../core/errors.ts';
import { encodeTaskInstanceId, type TaskInstanceKey } from '../core/model/keys.ts';
import type { AttemptEndState } from '../core/model/states.ts';
import type { DagRunStates, StartedAttempt } from '../services/execution/attempt-messages.ts';
import { HEAD_API_VERSION } from './execution-api/versioning/api-versions.ts';
import type { Connection } from '../core/model/connection.ts';

/**
 * The worker's side of the Task Execution API. A client holds one attempt's token, so a runner makes
 * one per workload. Start, heartbeat, finish and XCom writes are idempotent on the server, which is what
 * makes retrying them after a network error safe.
 */

/**
 * The version this client's types describe: the server's head. The client sends it (or the version it
 * is pinned to) on every request, and the server answers in that version.
 */
export const EXECUTION_API_VERSION: string = HEAD_API_VERSION;

export interface StartTaskRequest {
  workerId: string;
  pid: number;
  startDate: string;
  /** A delayed delivery of a rescheduled try: the reschedule date it was sent for (ISO). */
  rescheduleDate?: string;
}

/** The start answer, as it travels (instants are ISO strings): the server's own type. */
export type StartTaskResponse = StartedAttempt;

/** A connection as the API answers it: core's Connection (Airflow's fields, camelCase). */
export type TaskConnectionResponse = Connection;

/** The finish call's body at head (docs/openapi/execution-api.json describes each field). */
export interface FinishTaskRequest {
  state: AttemptEndState;
  workerId: string;
  endDate: string;
  /** Default true; false for FailNoRetry. */
  retryable?: boolean;
  returnValue?: unknown;
  error?: string;
  /** With success: the assets the attempt updated. */
  assetEvents?: Array<{ uri: string; extra?: Record<string, unknown> }>;
  /** With up_for_reschedule: when to run the same try again (ISO instant). */
  rescheduleDate?: string;
  /** With up_for_reschedule: when the try first poked (a sensor's timeout counts from it). */
  firstRescheduleDate?: string;
  /** With deferred: the trigger to wait for and how to resume. */
  deferral?: {
    trigger: { kind: string; kwargs?: Record<string, unknown> };
    nextMethod: string;
    nextKwargs?: Record<string, unknown> | null;
    triggerTimeout?: string | null;
  };
}

/** The states of another DAG's run for one logical date (the server's answer; sensors and triggers read it). */
export type DagRunStatesResponse = DagRunStates;

/** What skip-downstream did: the instances skipped, and those left because they had already started. */
export interface SkipDownstreamResponse {
  skipped: Array<{ taskId: string; mapIndex: number }>;
  unchanged: Array<{ taskId: string; mapIndex: number; state: string }>;
}

/** The API answered with an error status; `reason` is the server's `detail.reason`. */
export class ExecutionApiError extends UpdraftError {
  readonly status: number;
  readonly reason: string | null;
  readonly detail: Record<string, unknown> | null;

  constructor(status: number, message: string, detail: Record<string, unknown> | null, code = 'execution_api') {
    super(code, message);
    this.status = status;
    this.detail = detail;
    this.reason = typeof detail?.reason === 'string' ? detail.reason : null;
  }
}

/** 409: the task instance is not in the state this call needs (another worker has it, it was cleared...). */
export class ExecutionConflictError extends ExecutionApiError {
  readonly currentState: string | null;

  constructor(message: string, detail: Record<string, unknown> | null) {
    super(409, message, detail, 'execution_conflict');
    this.currentState = typeof detail?.currentState === 'string' ? detail.currentState : null;
  }
}

/** The API could not be reached (network error or timeout) even after retrying. */
export class ExecutionApiUnreachableError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('execution_api_unreachable', message, options);
  }
}

export interface ExecutionApiClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Attempts for a request that fails on the network or with 502/503/504 (default 4). */
  maxAttempts?: number;
  /** First backoff delay; it doubles per retry (default 100 ms). */
  retryDelayMs?: number;
  /** Per-request time limit (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * The API version to speak (default EXECUTION_API_VERSION). Pinning an older one is for testing
   * old runners against a newer server: answers then have that version's shape, not these types'.
   */
  apiVersion?: string;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export class ExecutionApiClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchFn: typeof fetch;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly requestTimeoutMs: number;
  readonly apiVersion: string;

  constructor(options: ExecutionApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.apiVersion = options.apiVersion ?? EXECUTION_API_VERSION;
  }

  /** The gate: queued → running for this attempt. Throws ExecutionConflictError when it may not run. */
  async start(ti: TaskInstanceKey, body: StartTaskRequest): Promise<StartTaskResponse> {
    const response = await this.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(ti)}/run`, body);
    return (await response.json()) as StartTaskResponse;
  }

  /** Throws ExecutionConflictError (reason `not_running`) when the runner must stop the task. */
  async heartbeat(ti: TaskInstanceKey, body: { workerId: string }): Promise<void> {
    await this.request('PUT', `/execution/task-instances/${encodeTaskInstanceId(ti)}/heartbeat`, body);
  }

  async finish(ti: TaskInstanceKey, body: FinishTaskRequest): Promise<void> {
    await this.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(ti)}/state`, body);
  }

  /** The XCom, or null when the task instance has none under that key. */
  async getXCom(ti: TaskInstanceKey, key: string): Promise<{ key: string; value: unknown } | null> {
    try {
      const response = await this.request('GET', this.xcomPath(ti, key));
      return (await response.json()) as { key: string; value: unknown };
    } catch (error) {
      if (error instanceof ExecutionApiError && error.status === 404 && error.reason === 'xcom_not_found') return null;
      throw error;
    }
  }

  async setXCom(ti: TaskInstanceKey, key: string, value: unknown): Promise<void> {
    await this.request('POST', this.xcomPath(ti, key), { value });
  }

  /** A variable from the secrets backends, or null when none defines it. */
  async getVariable(key: string): Promise<string | null> {
    try {
      const response = await this.request('GET', `/execution/variables/${encodeURIComponent(key)}`);
      return ((await response.json()) as { value: string }).value;
    } catch (error) {
      if (error instanceof ExecutionApiError && error.status === 404 && error.reason === 'variable_not_found') return null;
      throw error;
    }
  }

  async setVariable(key: string, value: string, description: string | null = null): Promise<void> {
    await this.request('PUT', `/execution/variables/${encodeURIComponent(key)}`, { value, description });
  }

  /** A connection from the secrets backends; a missing one is an ExecutionApiError naming where it looked. */
  async getConnection(connId: string): Promise<TaskConnectionResponse> {
    const response = await this.request('GET', `/execution/connections/${encodeURIComponent(connId)}`);
    return (await response.json()) as TaskConnectionResponse;
  }

  /**
   * The run of `dagId` for `logicalDate` (null when there is none) and the states of its task instances
   * (only `taskIds` when given). Any DAG may be read, as in Airflow's Execution API.
   */
  async getDagRunStates(dagId: string, logicalDate: Date | string, taskIds?: readonly string[]): Promise<DagRunStatesResponse> {
    const query = new URLSearchParams({ logicalDate: typeof logicalDate === 'string' ? logicalDate : logicalDate.toISOString() });
    if (taskIds && taskIds.length > 0) query.set('taskIds', taskIds.join(','));
    const response = await this.request('GET', `/execution/dag-runs/${encodeURIComponent(dagId)}/states?${query.toString()}`);
    return (await response.json()) as DagRunStatesResponse;
  }

  /** Deferral: the trigger of the token's deferred attempt fired; the attempt resumes with `event`. */
  async fireTrigger(ti: TaskInstanceKey, body: { event: unknown; trigger?: { kind: string; kwargs: Record<string, unknown> } }): Promise<void> {
    await this.request('POST', `/execution/task-instances/${encodeTaskInstanceId(ti)}/trigger-event`, body);
  }

  /** Deferral: the trigger of the token's deferred attempt failed; the attempt fails (retries apply). */
  async failTrigger(ti: TaskInstanceKey, body: { error: string; trigger?: { kind: string; kwargs: Record<string, unknown> } }): Promise<void> {
    await this.request('POST', `/execution/task-instances/${encodeTaskInstanceId(ti)}/trigger-failure`, body);
  }

  /**
   * Marks task instances of this attempt's run skipped (a branching task does it before it finishes):
   * task ids, or [task id, map index]. Each must be downstream of this task (403 otherwise).
   */
  async skipDownstream(ti: TaskInstanceKey, tasks: ReadonlyArray<string | readonly [string, number]>): Promise<SkipDownstreamResponse> {
    const response = await this.request('PATCH', `/execution/task-instances/${encodeTaskInstanceId(ti)}/skip-downstream`, { tasks });
    return (await response.json()) as SkipDownstreamResponse;
  }

  private xcomPath(ti: TaskInstanceKey, key: string): string {
    return `/execution/xcoms/${encodeTaskInstanceId(ti)}/${encodeURIComponent(key)}`;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        'updraft-api-version': this.apiVersion,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    let lastProblem: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await delay(this.retryDelayMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(this.requestTimeoutMs) });
      } catch (error) {
        lastProblem = error;
        continue;
      }
      if (response.ok) return response;
      const failure = await errorFromResponse(method, path, response);
      if (RETRYABLE_STATUSES.has(response.status) && attempt < this.maxAttempts) {
        lastProblem = failure;
        continue;
      }
      throw failure;
    }
    if (lastProblem instanceof ExecutionApiError) throw lastProblem;
    throw new ExecutionApiUnreachableError(
      `The Task Execution API at ${this.baseUrl} did not answer ${method} ${path} after ${this.maxAttempts} attempts ` +
        `(${describe(lastProblem)}). Check that the API is running and that UPDRAFT_EXECUTION_API_URL points at it.`,
      { cause: lastProblem },
    );
  }
}

async function errorFromResponse(method: string, path: string, response: Response): Promise<ExecutionApiError> {
  let detail: Record<string, unknown> | null = null;
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { detail?: unknown };
    if (parsed && typeof parsed.detail === 'object' && parsed.detail !== null) {
      detail = parsed.detail as Record<string, unknown>;
    }
  } catch {
    // Not our JSON error shape (a proxy or load balancer answered); the raw text goes in the message.
  }
  const said = typeof detail?.message === 'string' ? detail.message : text.slice(0, 300) || response.statusText;
  const message = `The Task Execution API refused ${method} ${path} with ${response.status}: ${said}`;
  if (response.status === 409) return new ExecutionConflictError(message, detail);
  return new ExecutionApiError(response.status, message, detail);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
