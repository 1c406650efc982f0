import { canonicalJson } from '../serialization/canonical-json.ts';
import type { TaskInstanceRecord, TriggerSpec } from '../model/records.ts';

/**
 * Pure rules about the triggers deferred attempts wait for. Time triggers need no I/O, so the scheduler
 * fires them itself while planning; every other kind waits for the triggerer function.
 */

/** The one trigger kind the scheduler fires itself (a `timedelta` becomes one when the task defers). */
export const TIME_TRIGGER_KIND = 'datetime';

/** Built-in kinds the triggerer polls; anything else is a custom trigger defined in the DAG file. */
export const TRIGGERER_BUILTIN_KINDS = ['s3_key', 'external_run', 'http'] as const;

/** A custom trigger's name, as `defineTrigger` accepts it. */
const CUSTOM_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** The moment a time trigger fires at, or null for another kind (or a malformed moment). */
export function timeTriggerMoment(spec: TriggerSpec): Date | null {
  if (spec.kind !== TIME_TRIGGER_KIND || typeof spec.kwargs.moment !== 'string') return null;
  const moment = new Date(spec.kwargs.moment);
  return Number.isNaN(moment.getTime()) ? null : moment;
}

/**
 * The event of a time trigger that is due at `now` (its payload is the moment, as Airflow's
 * DateTimeTrigger yields it); null when it is not due yet or is not a time trigger.
 */
export function firedTimeTrigger(spec: TriggerSpec, now: Date): { payload: string } | null {
  const moment = timeTriggerMoment(spec);
  if (!moment || moment.getTime() > now.getTime()) return null;
  return { payload: moment.toISOString() };
}

/** Whether a task instance waits in `deferred` for a trigger only the triggerer can evaluate. */
export function awaitsTriggerer(ti: Pick<TaskInstanceRecord, 'state' | 'trigger'>): boolean {
  return ti.state === 'deferred' && ti.trigger !== null && ti.trigger.kind !== TIME_TRIGGER_KIND;
}

/** Whether a stored trigger is the one an event was evaluated for (same kind, same arguments). */
export function isSameTrigger(a: TriggerSpec, b: TriggerSpec): boolean {
  return a.kind === b.kind && canonicalJson(a.kwargs) === canonicalJson(b.kwargs);
}

/** The arguments to resume with: the task's own, plus the event under `event` (Airflow's next_kwargs). */
export function resumeKwargs(nextKwargs: Record<string, unknown> | null, payload: unknown): Record<string, unknown> {
  return { ...(nextKwargs ?? {}), event: payload ?? null };
}

/**
 * What is wrong with a trigger spec a deferring attempt sent, or null when it is fine: the built-in
 * kinds' required arguments, and a custom trigger's name. Said so the task's author can fix the call.
 */
export function triggerSpecProblem(spec: TriggerSpec): string | null {
  const { kind, kwargs } = spec;
  const text = (name: string) => typeof kwargs[name] === 'string' && kwargs[name] !== '';
  const strings = (name: string) => Array.isArray(kwargs[name]) && (kwargs[name] as unknown[]).every((item) => typeof item === 'string');
  switch (kind) {
    case TIME_TRIGGER_KIND:
      return timeTriggerMoment(spec) ? null : 'a "datetime" trigger needs kwargs.moment, an ISO 8601 instant';
    case 'timedelta':
      return 'a "timedelta" trigger must be turned into a "datetime" one (now + seconds) before it is sent; the task runner does this';
    case 's3_key':
      return text('bucket') && text('key') ? null : 'an "s3_key" trigger needs kwargs.bucket and kwargs.key (non-empty strings)';
    case 'external_run':
      if (!text('dagId') || !text('logicalDate')) return 'an "external_run" trigger needs kwargs.dagId and kwargs.logicalDate';
      if (Number.isNaN(new Date(kwargs.logicalDate as string).getTime())) return 'kwargs.logicalDate of an "external_run" trigger is not a date';
      if (!strings('allowedStates') || !strings('failedStates')) return 'an "external_run" trigger needs kwargs.allowedStates and kwargs.failedStates (lists of states)';
      if (kwargs.taskIds !== undefined && !strings('taskIds')) return 'kwargs.taskIds of an "external_run" trigger must be a list of task ids';
      return null;
    case 'http':
      return text('url') || text('connection') ? null : 'an "http" trigger needs kwargs.url, or kwargs.connection and kwargs.endpoint';
    default:
      return CUSTOM_NAME.test(kind) ? null : `"${kind}" is not a trigger kind: use a built-in kind or the name of a trigger made with defineTrigger`;
  }
}
