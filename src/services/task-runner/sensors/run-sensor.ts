import type { S3Client } from '@aws-sdk/client-s3';
import { taskSignalOf, type SensorSettings, type SensorTaskDefinition, type TaskContext } from '../../../sdk/index.ts';
import { ExecutionTimeoutError } from '../errors.ts';
import { pokeExternalTask, type ExternalTaskPokeFields, type ReadDagRunStates } from './external-task-poke.ts';
import { pokeHttp, type HttpPokeFields } from './http-poke.ts';
import { nextPokeIntervalSeconds, sensorTimedOut } from './poke-schedule.ts';
import { missingS3Target, type S3KeyPokeFields } from './s3-key-poke.ts';
import { resumedFirstPoke, resumeSucceedsAtOnce, sensorDeferral, type PendingCondition } from './sensor-deferral.ts';
import { SensorArgumentError, SensorTimeoutError, SensorUnavailableError } from './sensor-errors.ts';
import { untilAborted } from '../until-aborted.ts';

/** What a sensor's try ends with (errors, signals included, are thrown). */
export type SensorResult =
  | { kind: 'success'; returnValue: unknown }
  | { kind: 'skipped'; message: string }
  /** Give the worker back; the same try runs again at `rescheduleDate`. */
  | { kind: 'reschedule'; rescheduleDate: Date; firstRescheduleDate: Date };

/** What the worker gives sensors besides the task's context. */
export interface SensorRuntime {
  now: () => Date;
  /** Waits between pokes; rejects with the signal's reason when it is aborted. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** When this try first poked, from the start answer (null on the first run of the try). */
  firstPokeDate: Date | null;
  /** Epoch ms by which the worker must be done (a Lambda's timeout): poke mode reschedules instead of dying. */
  deadlineMs?: number;
  /** The worker's own S3 client, for s3KeySensor. */
  s3?: S3Client;
  /** Reads another DAG's run and task states through the Execution API, for externalTaskSensor. */
  readDagRunStates?: ReadDagRunStates;
  /** For httpSensor (default: the global fetch). */
  fetch?: typeof fetch;
}

/** A poke must fit before the worker's deadline with this much room, or the sensor reschedules instead. */
export const DEADLINE_POKE_ALLOWANCE_MS = 5_000;

type PokeAnswer = { done: boolean; xcomValue?: unknown; pending?: PendingCondition };

/**
 * Airflow's BaseSensorOperator.execute: poke until done, or until the timeout (counted from the try's
 * first poke, across reschedules and deferrals). Poke mode sleeps between pokes; reschedule mode returns
 * a reschedule after one unmet poke; a `deferrable` sensor throws TaskDeferred after one unmet poke, so
 * the triggerer waits, and on resume succeeds (or pokes once more where its trigger sees only part of
 * the condition).
 */
export async function runSensor(
  task: SensorTaskDefinition,
  fields: Record<string, unknown>,
  ctx: TaskContext,
  runtime: SensorRuntime,
): Promise<SensorResult> {
  const settings = task.sensor;
  const deferrable = settings.deferrable === true;
  const startedAt = (deferrable ? resumedFirstPoke(ctx) : null) ?? runtime.firstPokeDate ?? runtime.now();
  if (deferrable && ctx.resume) {
    if (resumeSucceedsAtOnce(settings.kind)) {
      ctx.log.info('The trigger fired: success criteria met. Exiting.');
      return { kind: 'success', returnValue: undefined };
    }
    ctx.log.info('The trigger fired; poking once more to decide.');
  }
  const sleep = runtime.sleep ?? abortableSleep;
  const elapsed = () => (runtime.now().getTime() - startedAt.getTime()) / 1000;
  for (let pokeCount = 1; ; pokeCount += 1) {
    let answer: PokeAnswer;
    try {
      answer = await poke(task, fields, ctx, runtime);
    } catch (error) {
      if (settings.softFail && softFailable(error)) return { kind: 'skipped', message: `Skipping due to softFail: ${(error as Error).message}` };
      throw error;
    }
    if (answer.done) {
      ctx.log.info('Success criteria met. Exiting.');
      return { kind: 'success', returnValue: answer.xcomValue };
    }
    const waited = elapsed();
    if (sensorTimedOut(settings, waited)) {
      const timeout = new SensorTimeoutError(waited, settings.timeoutSeconds);
      if (settings.softFail) return { kind: 'skipped', message: `${timeout.message} Skipping due to softFail.` };
      throw timeout;
    }
    if (deferrable) throw sensorDeferral(settings, fields, ctx, answer.pending ?? {}, { startedAt, elapsedSeconds: waited });
    const intervalMs = nextPokeIntervalSeconds(settings, {
      dagId: ctx.dagId,
      taskId: ctx.taskId,
      startedAt,
      elapsedSeconds: waited,
      pokeCount,
    }) * 1000;
    const nextPoke = new Date(runtime.now().getTime() + intervalMs);
    if (settings.mode === 'reschedule') return { kind: 'reschedule', rescheduleDate: nextPoke, firstRescheduleDate: startedAt };
    if (runtime.deadlineMs !== undefined && nextPoke.getTime() + DEADLINE_POKE_ALLOWANCE_MS > runtime.deadlineMs) {
      ctx.log.info(`The next poke would come after this worker's time limit; rescheduling it to ${nextPoke.toISOString()} instead.`);
      return { kind: 'reschedule', rescheduleDate: nextPoke, firstRescheduleDate: startedAt };
    }
    ctx.log.info(`Condition not met; poking again in ${intervalMs / 1000}s.`);
    try {
      await sleep(intervalMs, ctx.signal);
    } catch (error) {
      if (settings.softFail && softFailable(error)) return { kind: 'skipped', message: `Skipping due to softFail: ${(error as Error).message}` };
      throw error;
    }
  }
}

async function poke(task: SensorTaskDefinition, fields: Record<string, unknown>, ctx: TaskContext, runtime: SensorRuntime): Promise<PokeAnswer> {
  const functions = task.sensorFunctions ?? {};
  const settings: SensorSettings = task.sensor;
  switch (settings.kind) {
    case 'custom': {
      if (!functions.poke) throw new SensorArgumentError(`Sensor "${ctx.taskId}" has no poke function in its DAG bundle.`);
      return pokeAnswerOf(await untilAborted(Promise.resolve().then(() => functions.poke!(ctx)), ctx.signal));
    }
    case 's3_key': {
      const missing = await missingS3Target(fields as unknown as S3KeyPokeFields, { s3: runtime.s3, connections: ctx.connections, signal: ctx.signal });
      return missing ? { done: false, pending: { s3Target: missing } } : { done: true };
    }
    case 'external_task': {
      const read = runtime.readDagRunStates;
      if (!read) throw new SensorUnavailableError('This worker cannot read other DAGs\' states: it has no Execution API client.');
      const result = await pokeExternalTask(fields as unknown as ExternalTaskPokeFields, { read, functions, ctx, softFail: settings.softFail });
      return result.done ? { done: true } : { done: false, pending: { externalDate: result.pendingDate ?? undefined } };
    }
    case 'time_delta': {
      const target = ctx.dataIntervalEnd.getTime() + Number(fields.deltaSeconds) * 1000;
      ctx.log.info(`Checking if the delta has elapsed: base time ${ctx.dataIntervalEnd.toISOString()}, delta ${String(fields.deltaSeconds)}s`);
      return { done: runtime.now().getTime() > target };
    }
    case 'date_time': {
      const target = Date.parse(String(fields.targetTime));
      if (Number.isNaN(target)) throw new SensorArgumentError(`targetTime rendered to "${String(fields.targetTime)}", which is not an ISO 8601 instant.`);
      ctx.log.info(`Checking if the time (${new Date(target).toISOString()}) has come`);
      return { done: runtime.now().getTime() > target };
    }
    case 'http':
      return { done: await pokeHttp(fields as unknown as HttpPokeFields, { ctx, functions, fetch: runtime.fetch ?? globalThis.fetch }) };
    default:
      throw new SensorArgumentError(`Sensor kind "${String(settings.kind)}" is unknown to this worker; upgrade the Updraft workers.`);
  }
}

/** A poke's answer: a boolean, or Airflow's PokeReturnValue as `{ done, xcomValue }`. */
export function pokeAnswerOf(value: unknown): PokeAnswer {
  if (typeof value === 'object' && value !== null && 'done' in value) {
    const answer = value as { done: unknown; xcomValue?: unknown };
    return answer.done ? { done: true, xcomValue: answer.xcomValue } : { done: false };
  }
  return { done: Boolean(value) };
}

/** Airflow's `_SOFT_FAIL_EXCEPTIONS`: a sensor timeout, the task's execution timeout, and a fail-without-retry. */
function softFailable(error: unknown): boolean {
  return error instanceof SensorTimeoutError || error instanceof ExecutionTimeoutError || taskSignalOf(error) === 'fail_no_retry';
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
