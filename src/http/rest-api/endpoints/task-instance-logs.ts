import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import type { TaskAttemptKey } from '../../../core/model/keys.ts';
import type { TaskInstanceRecord } from '../../../core/model/records.ts';
import { executorLogKey, taskLogKey } from '../../../core/model/workload.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { booleanParam, getRunOr404, getTaskInstanceOr404 } from './task-instance-support.ts';

/**
 * `get_log`: a try's log from the object store (the runner writes it when the attempt ends), followed
 * by the executor's own output for that attempt. Long logs come in chunks: the answer's
 * `continuation_token` is the byte offset to read from next (opaque to clients); a log that may still
 * appear (the attempt runs, or ended a moment ago) also answers a token, so a client polls with it.
 */

export interface LogEndpointOptions {
  /** Bytes answered per request unless full_content (default 1 MiB). */
  chunkBytes?: number;
  /** How long after an attempt ended a missing log is "not written yet" rather than missing (default 120 s). */
  writeGraceSeconds?: number;
}

export const logMessageSchema = z.object({ timestamp: z.string().nullable(), event: z.string(), level: z.string().optional() }).loose();
export const taskInstancesLogSchema = z.object({ content: z.array(logMessageSchema), continuation_token: z.string().nullable() });
type LogMessage = z.infer<typeof logMessageSchema>;

const logQuery = z.object({
  full_content: booleanParam.default(false),
  map_index: z.coerce.number().int().min(-1).default(-1),
  token: z.string().optional(),
});

/** States in which the current try's log is not written yet because the attempt has not ended. */
const NOT_ENDED = new Set(['queued', 'running', 'deferred', 'up_for_reschedule', 'restarting', 'scheduled']);

interface Token {
  offset: number;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify({ o: token.offset })).toString('base64url');
}

function decodeToken(raw: string | undefined): Token {
  if (raw === undefined || raw === '') return { offset: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return { offset: parsed.o };
  } catch {
    // Answered below.
  }
  throw new RestApiHttpError(400, 'Bad Signature. Please use only the tokens provided by the API (the continuation_token of a previous answer).');
}

/** `[2026-03-01T10:00:00.000Z] INFO message`, as the task runner writes lines (src/services/task-runner/task-log.ts). */
const LINE = /^\[(\d{4}-\d\d-\d\dT[^\]]+)\] (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/s;

function toMessage(line: string): LogMessage {
  const match = LINE.exec(line);
  if (!match) return { timestamp: null, event: line };
  return { timestamp: match[1]!, level: match[2]!.toLowerCase(), event: match[3]! };
}

/** The end of a chunk: after the last newline within it, so lines (and UTF-8 characters) are never split. */
function chunkEnd(bytes: Uint8Array, from: number, size: number): number {
  const limit = Math.min(bytes.length, from + size);
  if (limit === bytes.length) return limit;
  for (let i = limit - 1; i >= from; i -= 1) if (bytes[i] === 0x0a) return i + 1;
  let end = limit;
  while (end > from && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return end > from ? end : limit;
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

async function executorOutput(request: EndpointRequest, ti: TaskInstanceRecord, attempt: TaskAttemptKey): Promise<string[]> {
  const { objectStore, executors, logger } = request.deps;
  const stored = await objectStore.getText(executorLogKey(attempt));
  if (stored !== null) return ['--- Executor output ---', ...lines(stored)];
  if (!executors || !executors.has(ti.executor ?? executors.defaultName)) return [];
  const executor = executors.resolve(ti.executor);
  if (!executor.capabilities.servesLogs) return [];
  try {
    const externalId = attempt.tryNumber === ti.tryNumber ? ti.externalExecutorId : null;
    const log = await executor.getTaskLog(attempt, externalId);
    if (log.messages.length === 0 && log.lines.length === 0) return [];
    return [`--- Executor output (${executor.name}) ---`, ...log.messages, ...log.lines];
  } catch (error) {
    logger.warn('Could not read the executor log', { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, error: (error as Error).message });
    return [`--- The ${executor.name} executor's output could not be read: ${(error as Error).message} ---`];
  }
}

async function getLog(request: EndpointRequest, options: Required<LogEndpointOptions>): Promise<Response> {
  const { c, params, deps } = request;
  const query = request.query as z.infer<typeof logQuery>;
  const tryNumber = Number(params.try_number);
  if (!Number.isInteger(tryNumber) || tryNumber < 1) throw new RestApiHttpError(422, `try_number must be a positive integer; got "${params.try_number}".`);
  const run = await getRunOr404(deps.metastore, params.dag_id!, params.dag_run_id!);
  const ti = await getTaskInstanceOr404(
    deps.metastore,
    { dagId: run.dagId, runId: run.runId, taskId: params.task_id!, mapIndex: query.map_index },
    { mappedHint: 'Task instance is mapped, add the map_index query parameter (?map_index=0)' },
  );
  if (tryNumber > ti.tryNumber) {
    throw new NotFoundError(`TaskInstance not found: ${ti.taskId} has made ${ti.tryNumber} tries, so try ${tryNumber} has no log.`);
  }
  const attempt: TaskAttemptKey = { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber };
  const start = decodeToken(query.token).offset;
  const bytes = await deps.objectStore.get(taskLogKey(attempt));
  const messages: string[] = [];
  let next: Token | null = null;

  if (bytes === null) {
    const current = tryNumber === ti.tryNumber;
    const endedAt = current ? ti.endDate : null;
    const justEnded = endedAt !== null && deps.clock.now().getTime() - endedAt.getTime() <= options.writeGraceSeconds * 1000;
    if (current && NOT_ENDED.has(ti.state)) {
      messages.push(`Try ${tryNumber} has not ended yet (state ${ti.state}): its log is written when the attempt ends. Ask again with the continuation token.`);
      next = { offset: 0 };
    } else if (justEnded) {
      messages.push(`The log of try ${tryNumber} is not written yet: the attempt ended at ${endedAt.toISOString()}. Ask again in a few seconds.`);
      next = { offset: 0 };
    } else {
      messages.push(`No log was found for try ${tryNumber} (object ${taskLogKey(attempt)}): the attempt may have been lost before it wrote one, or the log expired.`);
    }
  } else {
    const end = query.full_content ? bytes.length : chunkEnd(bytes, Math.min(start, bytes.length), options.chunkBytes);
    messages.push(...lines(Buffer.from(bytes.subarray(Math.min(start, bytes.length), end)).toString('utf8')));
    if (end < bytes.length) next = { offset: end };
  }
  // The executor's output follows the task log once it has been read to its end.
  if (next === null) messages.push(...(await executorOutput(request, ti, attempt)));

  if ((c.req.header('accept') ?? '').includes('text/plain')) {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
    if (next) headers['Airflow-Continuation-Token'] = encodeToken(next);
    return c.body(messages.length === 0 ? '' : `${messages.join('\n')}\n`, 200, headers);
  }
  return c.json({ content: messages.map(toMessage), continuation_token: next ? encodeToken(next) : null }, 200);
}

export function logEndpoints(options: LogEndpointOptions = {}): Endpoint[] {
  const resolved = { chunkBytes: options.chunkBytes ?? 1024 * 1024, writeGraceSeconds: options.writeGraceSeconds ?? 120 };
  return [
    {
      operationId: 'get_log',
      method: 'get',
      path: `${REST_API_PREFIX}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}`,
      tag: 'Task Instance',
      summary: 'Get Log',
      description:
        "A try's log, then the executor's own output for it. Long logs come in chunks: pass the answer's continuation_token as " +
        '`token` for the next one (full_content=true answers all at once). `Accept: text/plain` answers plain text, the token in the ' +
        'Airflow-Continuation-Token header. A log not written yet (the attempt runs or just ended) is said so, with a token to poll.',
      authorization: { kind: 'dag', method: 'GET', accessEntity: 'TASK_LOGS', dagIdParam: 'dag_id' },
      query: logQuery,
      success: { status: 200, description: 'The log.', schema: taskInstancesLogSchema },
      errors: [400, 404, 422],
      handle: (request) => getLog(request, resolved),
    },
  ];
}

export const LOG_ENDPOINTS: readonly Endpoint[] = logEndpoints();
