import type { SerializedDag, SerializedTask } from '../../src/core/model/serialized-dag.ts';

/** Hand-built serialized DAGs for tests that need no DAG processor: Airflow's defaults, overridable. */

export function serializedTask(taskId: string, upstreamTaskIds: string[] = [], overrides: Partial<SerializedTask> = {}): SerializedTask {
  return {
    taskId,
    operator: 'bash',
    upstreamTaskIds: [...upstreamTaskIds].sort(),
    triggerRule: 'all_success',
    retries: 0,
    retryDelaySeconds: 300,
    retryExponentialBackoff: false,
    maxRetryDelaySeconds: null,
    executionTimeoutSeconds: null,
    executor: null,
    executorConfig: null,
    pool: 'default_pool',
    poolSlots: 1,
    priorityWeight: 1,
    templateFields: {},
    args: [],
    doXcomPush: true,
    doc: null,
    ...overrides,
  };
}

export function serializedDag(dagId: string, tasks: SerializedTask[], overrides: Partial<SerializedDag> = {}): SerializedDag {
  return {
    formatVersion: 1,
    dagId,
    fileloc: `${dagId}.ts`,
    description: null,
    tags: [],
    timetable: { type: 'null' },
    scheduleDescription: null,
    startDate: null,
    endDate: null,
    timezone: 'UTC',
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    params: {},
    tasks,
    ...overrides,
  };
}
