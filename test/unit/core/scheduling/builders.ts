import { newTaskInstance, type DagRunRecord, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';

/** Hand-built serialized DAGs and records for scheduling tests (no DAG processor involved). */

export { serializedDag as dag, serializedTask as task } from '../../../support/serialized-dags.ts';

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
    ...newTaskInstance(r, serializedTask(taskId)),
    state,
    tryNumber: state === 'none' ? 0 : 1,
    ...overrides,
  };
}
