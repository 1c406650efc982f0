import type { DagRunType } from '../../core/model/states.ts';

/** The requests and answers of the attempt actions, as the Task Execution API carries them. */

export interface StartAttemptRequest {
  workerId: string;
  pid: number;
  startDate: Date;
}

export interface StartedAttempt {
  dagRun: {
    dagId: string;
    runId: string;
    logicalDate: string;
    dataIntervalStart: string;
    dataIntervalEnd: string;
    runAfter: string;
    runType: DagRunType;
    conf: Record<string, unknown>;
  };
  taskInstance: { taskId: string; mapIndex: number; tryNumber: number; maxTries: number };
  params: Record<string, unknown>;
  /** `return_value` XComs of the upstream and argument tasks, by task id; missing ones are omitted. */
  upstreamXComs: Record<string, unknown>;
  heartbeatIntervalSeconds: number;
}

export interface HeartbeatRequest {
  workerId: string;
}

export interface FinishAttemptRequest {
  state: 'success' | 'failed' | 'skipped';
  workerId: string;
  endDate: Date;
  /** false for FailNoRetry. */
  retryable: boolean;
  /** Pushed as the `return_value` XCom on success; `undefined` pushes nothing. */
  returnValue?: unknown;
  error?: string;
}
