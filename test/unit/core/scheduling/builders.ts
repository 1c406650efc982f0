import type { DagRunRecord, TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';

/** Hand-built serialized DAGs and records for scheduling tests (no DAG processor involved). */

export function task(taskId: string, upstreamTaskIds: string[] = [], overrides: Partial<SerializedTask> = {}): SerializedTask {
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

export function dag(dagId: string, tasks: SerializedTask[], overrides: Partial<SerializedDag> = {}): SerializedDag {
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

export const LOGICAL_DATE = new Date('2024-01-01T00:00:00Z');

export function run(dagId: string, overrides: Partial<DagRunRecord> = {}): DagRunRecord {
  return {
    dagId,
    runId: 'manual__2024-01-01T00:00:00+00:00',
    state: 'running',
    runType: 'manual',
    logicalDate: LOGICAL_DATE,
    dataInterval: { start: LOGICAL_DATE, end: LOGICAL_DATE },
    runAfter: LOGICAL_DATE,
    versionId: 'v1',
    conf: {},
    queuedAt: LOGICAL_DATE,
    startDate: LOGICAL_DATE,
    endDate: null,
    revision: 1,
    ...overrides,
  };
}

export function ti(
  r: Pick<DagRunRecord, 'dagId' | 'runId'>,
  taskId: string,
  state: TaskInstanceState,
  overrides: Partial<TaskInstanceRecord> = {},
): TaskInstanceRecord {
  return {
    dagId: r.dagId,
    runId: r.runId,
    taskId,
    mapIndex: -1,
    state,
    tryNumber: state === 'none' ? 0 : 1,
    maxTries: 1,
    operator: 'bash',
    executor: null,
    pool: 'default_pool',
    priorityWeight: 1,
    queuedAt: null,
    startDate: null,
    endDate: null,
    lastHeartbeatAt: null,
    nextRetryAt: null,
    workerId: null,
    externalExecutorId: null,
    ...overrides,
  };
}
