import type { TaskAttemptKey } from '../../core/model/keys.ts';
import type { StartTaskResponse } from '../../http/execution-api-client.ts';

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
  };
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
