import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedTask } from '../model/serialized-dag.ts';
import type { TaskTransition } from './task-planning.ts';

/**
 * How a sensor's deferral that ran past its trigger timeout ends, as Airflow's BaseSensorOperator
 * resumes one: a sensor timeout, which is not retried (a retry would only start the wait over), or a
 * skip with `softFail`. Null for any other operator (the attempt fails, and retries apply). The
 * setting is read from the sensor's serialized `templateFields.sensor`, where the SDK puts it.
 */
export function sensorDeferralTimeout(task: SerializedTask, ti: TaskInstanceRecord, now: Date, reason: string): TaskTransition | null {
  if (task.operator !== 'sensor') return null;
  const settings = task.templateFields.sensor;
  const softFail = typeof settings === 'object' && settings !== null && (settings as { softFail?: unknown }).softFail === true;
  const parked = { trigger: null, triggerTimeout: null, nextMethod: null, nextKwargs: null };
  return {
    kind: softFail ? 'skip' : 'fail',
    ti,
    task,
    changes: { ...parked, state: softFail ? 'skipped' : 'failed', endDate: now },
    condition: { state: 'deferred', tryNumber: ti.tryNumber },
    reason: softFail ? `${reason}: the sensor timed out; skipping due to softFail` : `${reason}: the sensor timed out (not retried)`,
  };
}
