import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { StartTaskResponse } from '../../http/execution-api-client.ts';
import type { TaskResume } from '../../sdk/index.ts';

/** What the runner knows about the attempt once the start call let it run. */
export interface AttemptInfo {
  ti: TaskAttemptKey;
  maxTries: number;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  runAfter: Date;
  runType: string;
  conf: Record<string, unknown>;
  params: Record<string, unknown>;
  /** When this try first poked before a reschedule (a sensor's timeout counts from it); null on its first run. */
  firstRescheduleDate?: Date | null;
  /** Set when the attempt resumes after its trigger fired (ctx.resume); absent or null on a first run. */
  resume?: TaskResume | null;
  /** A mapped instance's elements (dynamic task mapping); absent for an unmapped task or from an older server. */
  mappedInputs?: StartTaskResponse['mappedInputs'];
}

export function attemptInfoFrom(ti: TaskAttemptKey, started: StartTaskResponse): AttemptInfo {
  return {
    ti,
    maxTries: started.taskInstance.maxTries,
    logicalDate: new Date(started.dagRun.logicalDate),
    dataIntervalStart: new Date(started.dagRun.dataIntervalStart),
    dataIntervalEnd: new Date(started.dagRun.dataIntervalEnd),
    runAfter: new Date(started.dagRun.runAfter),
    runType: started.dagRun.runType,
    conf: started.dagRun.conf ?? {},
    params: started.params ?? {},
    // An older server does not send it: the sensor then counts its timeout from this run.
    firstRescheduleDate: started.taskInstance.firstRescheduleDate ? new Date(started.taskInstance.firstRescheduleDate) : null,
    resume: resumeOf(started.taskInstance),
    ...(started.mappedInputs ? { mappedInputs: started.mappedInputs } : {}),
  };
}

/**
 * The continuation the start answer hands back: the trigger's event travels in `nextKwargs.event`
 * (where the Execution API put it when the trigger fired), the rest are the task's own kwargs.
 */
export function resumeOf(ti: Pick<StartTaskResponse['taskInstance'], 'nextMethod' | 'nextKwargs'>): TaskResume | null {
  if (typeof ti.nextMethod !== 'string' || ti.nextMethod === '') return null;
  const { event, ...kwargs } = ti.nextKwargs ?? {};
  return { method: ti.nextMethod, event: event ?? null, kwargs };
}

/** Airflow's rendering of an instant (Python's isoformat of a UTC datetime): `2024-01-01T00:00:00+00:00`. */
export function airflowIso(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? iso.replace(/\.\d{3}Z$/, '+00:00') : iso.replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** `ds`: the logical date's day in UTC. */
export function dsOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
