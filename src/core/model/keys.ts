/** Identity of one task instance. `mapIndex` is -1 for unmapped tasks, as in Airflow. */
export interface TaskInstanceKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

/** Identity of one attempt of a task instance. `tryNumber` starts at 1. */
export interface TaskAttemptKey extends TaskInstanceKey {
  tryNumber: number;
}

export interface DagRunKey {
  dagId: string;
  runId: string;
}

/**
 * A task instance's id in URLs: reversible, so the Execution API needs no lookup table. It is
 * base64url of the JSON array `[dagId, runId, taskId, mapIndex]`.
 */
export function encodeTaskInstanceId(key: TaskInstanceKey): string {
  return Buffer.from(JSON.stringify([key.dagId, key.runId, key.taskId, key.mapIndex])).toString('base64url');
}

export function decodeTaskInstanceId(id: string): TaskInstanceKey | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 4 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      typeof parsed[2] === 'string' &&
      Number.isInteger(parsed[3])
    ) {
      return { dagId: parsed[0], runId: parsed[1], taskId: parsed[2], mapIndex: parsed[3] as number };
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Run ids follow Airflow's `<run_type>__<logical date>` form, the date as Python's `isoformat()` writes
 * it: no fraction on a whole second, microseconds otherwise (`manual__2026-01-01T06:00:00.250000+00:00`),
 * so two manual triggers within one second get different ids. Deriving ids from the logical date is
 * what makes run creation idempotent: two ticks that decide the same run write the same key.
 */
export function runIdFor(runType: string, logicalDate: Date): string {
  const iso = logicalDate.toISOString();
  const milliseconds = iso.slice(20, 23);
  const fraction = milliseconds === '000' ? '' : `.${milliseconds}000`;
  return `${runType}__${iso.slice(0, 19)}${fraction}+00:00`;
}

export function formatTaskInstanceKey(key: TaskInstanceKey): string {
  const map = key.mapIndex >= 0 ? `[${key.mapIndex}]` : '';
  return `${key.dagId}/${key.runId}/${key.taskId}${map}`;
}

/** The key of a run in in-memory maps and sets (ids cannot contain NUL). */
export function dagRunMapKey(run: DagRunKey): string {
  return `${run.dagId}\u0000${run.runId}`;
}

/** The attempt a task instance record is on: its key and its try number, nothing else. */
export function attemptKeyOf(ti: TaskAttemptKey): TaskAttemptKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber };
}
