import type { TaskContext } from '../context.ts';
import type { TaskRef } from '../task-ref.ts';
import { describe } from '../task-options.ts';
import { addSensor } from './add-sensor.ts';
import type { SensorOptions } from './sensor-options.ts';

/**
 * Task instance states an external task sensor may name (Airflow's `State.task_states`). The SDK owns the
 * list (DAG files import nothing else of Updraft's); core's `TASK_INSTANCE_STATES` is this list.
 *
 * @example
 * ```ts
 * EXTERNAL_TASK_STATES.includes('upstream_failed'); // true
 * ```
 */
export const EXTERNAL_TASK_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'restarting',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'upstream_failed',
  'skipped',
  'deferred',
  'removed',
] as const;

/**
 * DAG run states an external task sensor waiting for a whole run may name (Airflow's `State.dag_states`).
 *
 * @example
 * ```ts
 * externalTaskSensor({ taskId: 'wait', externalDagId: 'ingest', failedStates: ['failed'] }); // states of EXTERNAL_DAG_RUN_STATES
 * ```
 */
export const EXTERNAL_DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;

/**
 * Options of `externalTaskSensor()`. `externalDagId`, `externalTaskId` and `externalTaskIds` are templates.
 *
 * @example
 * ```ts
 * const options: ExternalTaskSensorOptions = { taskId: 'wait_upstream', externalDagId: 'ingest', externalTaskId: 'load' };
 * ```
 */
export interface ExternalTaskSensorOptions extends SensorOptions {
  externalDagId: string;
  /** One task of the other DAG; without it (and without `externalTaskIds`) the sensor waits for the whole run. */
  externalTaskId?: string;
  /** Several tasks of the other DAG; all must reach an allowed state. */
  externalTaskIds?: readonly string[];
  /** States that end the wait successfully (default `['success']`). */
  allowedStates?: readonly string[];
  /** States that fail the sensor at once (default none: it keeps waiting until its timeout). */
  failedStates?: readonly string[];
  /** States that skip the sensor (default none). */
  skippedStates?: readonly string[];
  /** Look at the other DAG's run this many seconds BEFORE this run's logical date (Airflow's `execution_delta`). */
  executionDelta?: number;
  /** The other DAG's logical date(s), from this run's; runs on the worker (Airflow's `execution_date_fn`). */
  executionDateFn?: (logicalDate: Date, ctx: TaskContext) => Date | readonly Date[];
}

const EXTERNAL_TASK_SENSOR_KEYS = [
  'externalDagId',
  'externalTaskId',
  'externalTaskIds',
  'allowedStates',
  'failedStates',
  'skippedStates',
  'executionDelta',
  'executionDateFn',
] as const;

/**
 * Adds a sensor that waits for another DAG's task(s), or its whole run, for the same logical date (or
 * one shifted by `executionDelta`), as Airflow's `ExternalTaskSensor`. By default it waits for
 * `success` and does NOT fail when the other task fails (it waits until its timeout, so that task can
 * be retried); list states in `failedStates` to fail at once, in `skippedStates` to skip. It reads the
 * states through the Task Execution API, never the metastore. Call it inside a DAG's build function.
 *
 * @example
 * ```ts
 * import { dag, externalTaskSensor } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'reporting', schedule: '@daily', startDate: '2025-01-01' }, () => {
 *   externalTaskSensor({
 *     taskId: 'wait_for_ingest',
 *     externalDagId: 'ingest',
 *     externalTaskId: 'load',
 *     failedStates: ['failed', 'upstream_failed'],
 *     mode: 'reschedule',
 *   });
 * });
 * ```
 */
export function externalTaskSensor(options: ExternalTaskSensorOptions): TaskRef<boolean> {
  return addSensor<boolean>('externalTaskSensor', 'external_task', options, EXTERNAL_TASK_SENSOR_KEYS, (fail) => {
    if (typeof options.externalDagId !== 'string' || options.externalDagId.trim() === '') {
      fail(`externalDagId must be the id of another DAG, got ${describe(options.externalDagId)}.`);
    }
    if (options.externalTaskId !== undefined && options.externalTaskIds !== undefined && options.externalTaskIds.length > 0) {
      fail('give externalTaskId or externalTaskIds, not both.');
    }
    if (options.externalTaskId !== undefined && (typeof options.externalTaskId !== 'string' || options.externalTaskId === '')) {
      fail(`externalTaskId must be a task id, got ${describe(options.externalTaskId)}.`);
    }
    const ids = options.externalTaskIds;
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== ''))) {
      fail(`externalTaskIds must be a list of task ids, got ${describe(ids)}.`);
    }
    if (ids !== undefined && new Set(ids).size !== ids.length) fail('externalTaskIds lists a task twice.');
    const taskIds = options.externalTaskId !== undefined ? [options.externalTaskId] : ids && ids.length > 0 ? [...ids] : null;

    const allowedStates = statesOf('allowedStates', options.allowedStates, ['success']);
    const failedStates = statesOf('failedStates', options.failedStates, []);
    const skippedStates = statesOf('skippedStates', options.skippedStates, []);
    const all = [...allowedStates, ...failedStates, ...skippedStates];
    if (new Set(all).size !== all.length) fail('allowedStates, failedStates and skippedStates must not share a state.');
    const valid: readonly string[] = taskIds ? EXTERNAL_TASK_STATES : EXTERNAL_DAG_RUN_STATES;
    const invalid = all.find((state) => !valid.includes(state));
    if (invalid !== undefined) {
      fail(
        `state "${invalid}" is not a ${taskIds ? 'task instance' : 'DAG run'} state; ` +
          `when waiting for ${taskIds ? 'tasks' : 'a whole run'} use: ${valid.join(', ')}.`,
      );
    }

    if (options.executionDelta !== undefined && options.executionDateFn !== undefined) fail('give executionDelta or executionDateFn, not both.');
    if (options.executionDelta !== undefined && (typeof options.executionDelta !== 'number' || !Number.isFinite(options.executionDelta))) {
      fail(`executionDelta must be a number of seconds, got ${describe(options.executionDelta)}.`);
    }
    if (options.executionDateFn !== undefined && typeof options.executionDateFn !== 'function') {
      fail(`executionDateFn must be a function (logicalDate, ctx) => Date, got ${describe(options.executionDateFn)}.`);
    }
    return {
      templateFields: {
        externalDagId: options.externalDagId,
        ...(taskIds ? { externalTaskIds: taskIds } : {}),
        allowedStates,
        failedStates,
        skippedStates,
        ...(options.executionDelta !== undefined ? { executionDeltaSeconds: options.executionDelta } : {}),
      },
      functions: options.executionDateFn ? { executionDateFn: options.executionDateFn } : {},
    };

    function statesOf(name: string, value: readonly string[] | undefined, fallback: string[]): string[] {
      if (value === undefined || value.length === 0) return fallback;
      if (!Array.isArray(value) || !value.every((state) => typeof state === 'string')) {
        return fail(`${name} must be a list of states, got ${describe(value)}.`);
      }
      return [...value];
    }
  });
}
