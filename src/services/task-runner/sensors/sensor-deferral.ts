import {
  dateTimeTrigger,
  httpTrigger,
  s3KeyTrigger,
  TaskDeferred,
  type HttpTriggerOptions,
  type SensorKind,
  type SensorSettings,
  type TaskContext,
  type TriggerSpec,
} from '../../../sdk/index.ts';
import type { ExternalTaskPokeFields } from './external-task-poke.ts';
import type { HttpPokeFields } from './http-poke.ts';
import type { S3Target } from './s3-key-poke.ts';
import { SensorArgumentError } from './sensor-errors.ts';

/**
 * A deferrable sensor's hand-over to the triggerer (Airflow's `deferrable=True` sensors): the trigger
 * that watches what the unmet poke checked, and the deferral that carries the try's first poke date so
 * the sensor's timeout keeps counting from it across resumes.
 */

/** The method a sensor resumes in, as Airflow's sensors name it. */
export const SENSOR_RESUME_METHOD = 'execute_complete';

/** The key in the deferral's kwargs that keeps the try's first poke (ISO). */
const FIRST_POKE_KWARG = 'sensorFirstPoke';

/** What the unmet poke found still missing, so the trigger waits for exactly that. */
export interface PendingCondition {
  /** s3KeySensor: the first key (or pattern) nothing matches yet. */
  s3Target?: S3Target;
  /** externalTaskSensor: the first logical date whose run or tasks are not all allowed yet. */
  externalDate?: Date;
}

/**
 * Kinds whose trigger fires only when the whole condition holds, so the resumed sensor succeeds from
 * the event alone. The others (several S3 keys; an external task's failed and skipped states, several
 * logical dates) poke once more on resume and decide, or defer again for what is still missing.
 */
export function resumeSucceedsAtOnce(kind: SensorKind): boolean {
  return kind === 'http' || kind === 'date_time' || kind === 'time_delta';
}

/** The first poke date a resumed sensor carried through its deferral; null on a first run. */
export function resumedFirstPoke(ctx: Pick<TaskContext, 'resume'>): Date | null {
  const value = ctx.resume?.kwargs?.[FIRST_POKE_KWARG];
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The deferral of a sensor whose poke was not met: its trigger, and a timeout of what is left of the
 * sensor's timeout (never zero: the scheduler then ends it at its next tick as a sensor timeout).
 */
export function sensorDeferral(
  settings: SensorSettings,
  fields: Record<string, unknown>,
  ctx: Pick<TaskContext, 'dataIntervalEnd'>,
  pending: PendingCondition,
  clock: { startedAt: Date; elapsedSeconds: number },
): TaskDeferred {
  return new TaskDeferred({
    trigger: sensorTrigger(settings.kind, fields, ctx, pending),
    method: SENSOR_RESUME_METHOD,
    kwargs: { [FIRST_POKE_KWARG]: clock.startedAt.toISOString() },
    timeout: Math.max(0.001, settings.timeoutSeconds - clock.elapsedSeconds),
  });
}

/** The built-in trigger that checks what a sensor of this kind pokes for, from its rendered fields. */
export function sensorTrigger(
  kind: SensorKind,
  fields: Record<string, unknown>,
  ctx: Pick<TaskContext, 'dataIntervalEnd'>,
  pending: PendingCondition,
): TriggerSpec {
  switch (kind) {
    case 's3_key': {
      if (!pending.s3Target) throw new SensorArgumentError('The s3KeySensor found no missing key to wait for; this is a bug in Updraft.');
      return s3KeyTrigger({ bucket: pending.s3Target.bucket, key: pending.s3Target.key, wildcardMatch: fields.wildcardMatch === true });
    }
    case 'external_task':
      return externalTaskTrigger(fields as unknown as ExternalTaskPokeFields, pending);
    case 'date_time': {
      const target = Date.parse(String(fields.targetTime));
      if (Number.isNaN(target)) throw new SensorArgumentError(`targetTime rendered to "${String(fields.targetTime)}", which is not an ISO 8601 instant.`);
      return dateTimeTrigger(new Date(target));
    }
    case 'time_delta':
      return dateTimeTrigger(new Date(ctx.dataIntervalEnd.getTime() + Number(fields.deltaSeconds) * 1000));
    case 'http':
      return httpSensorTrigger(fields as unknown as HttpPokeFields);
    default:
      throw new SensorArgumentError(`A "${kind}" sensor cannot defer: only the built-in sensors have a trigger.`);
  }
}

/**
 * The other DAG's run for the pending date. The sensor's failed and skipped states go in `stopStates`
 * (the trigger fires as soon as any listed task, or the run, reaches one) rather than in the trigger's
 * `failedStates`, so the resumed sensor decides as a poke does: fail, skip, or skip with softFail.
 */
function externalTaskTrigger(fields: ExternalTaskPokeFields, pending: PendingCondition): TriggerSpec {
  if (!pending.externalDate) throw new SensorArgumentError('The externalTaskSensor found no logical date to wait for; this is a bug in Updraft.');
  const stopStates = [...fields.failedStates, ...fields.skippedStates];
  return {
    kind: 'external_run',
    kwargs: {
      dagId: fields.externalDagId,
      logicalDate: pending.externalDate.toISOString(),
      allowedStates: [...fields.allowedStates],
      failedStates: [],
      ...(fields.externalTaskIds && fields.externalTaskIds.length > 0 ? { taskIds: [...fields.externalTaskIds] } : {}),
      ...(stopStates.length > 0 ? { stopStates } : {}),
    },
  };
}

/** GET and HEAD carry `data` in the query string, as the poke does; POST and PUT as a JSON body. */
function httpSensorTrigger(fields: HttpPokeFields): TriggerSpec {
  const method = fields.method as NonNullable<HttpTriggerOptions['method']>;
  let endpoint = fields.endpoint;
  let body: unknown;
  if (fields.data !== undefined) {
    if (method === 'GET' || method === 'HEAD') {
      const query =
        typeof fields.data === 'string'
          ? fields.data
          : new URLSearchParams(
              Object.entries(fields.data).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
            ).toString();
      if (query) endpoint += `${endpoint.includes('?') ? '&' : '?'}${query}`;
    } else {
      body = fields.data;
    }
  }
  return httpTrigger({
    connection: fields.httpConnId,
    endpoint,
    method,
    ...(fields.headers ? { headers: { ...fields.headers } } : {}),
    ...(body !== undefined ? { body } : {}),
  });
}
