import type { TriggerSpec } from '../../core/model/records.ts';
import type { AttemptEndState, DagRunState, DagRunType, TaskInstanceState } from '../../core/model/states.ts';

/** The requests and answers of the attempt actions, as the Task Execution API carries them. */

export interface StartAttemptRequest {
  workerId: string;
  pid: number;
  startDate: Date;
  /** Set by a delayed delivery of a rescheduled try: the reschedule date it was sent for. */
  rescheduleDate?: Date;
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
  taskInstance: {
    taskId: string;
    mapIndex: number;
    tryNumber: number;
    maxTries: number;
    /** Set when the attempt resumes after a deferral: the method to continue in, and its arguments. */
    nextMethod: string | null;
    nextKwargs: Record<string, unknown> | null;
    /** Since 2026-11-23. When this try first poked before it was rescheduled (ISO); null on its first run. */
    firstRescheduleDate: string | null;
  };
  params: Record<string, unknown>;
  /**
   * `return_value` XComs of the upstream and argument tasks, by task id; missing ones are omitted. A
   * mapped upstream's is the list of its instances' values by map index (the value at this instance's
   * own map index when both are in the same mapped task group).
   */
  upstreamXComs: Record<string, unknown>;
  /**
   * Since 2026-11-23. Only for an instance of a mapped task (map index >= 0): the value of each
   * `mapped` / `map_item` TaskFlow argument by position ("0", "1", ...) and of each mapped template field by name.
   */
  mappedInputs?: { args: Record<string, unknown>; fields: Record<string, unknown> };
  heartbeatIntervalSeconds: number;
}

export interface HeartbeatRequest {
  workerId: string;
}

/** An asset the attempt updated; recorded as an asset event when the attempt succeeds. */
export interface AssetEventInput {
  uri: string;
  extra: Record<string, unknown>;
}

/** What a deferring attempt waits for and how it continues (Airflow's TIDeferredStatePayload). */
export interface DeferralRequest {
  trigger: TriggerSpec;
  nextMethod: string;
  nextKwargs: Record<string, unknown> | null;
  /** When to give up waiting: the attempt then fails (and retries if it has tries left). */
  triggerTimeout: Date | null;
}

/**
 * The end of an attempt. Which optional fields apply depends on `state` (checked by
 * `checkFinishRequest`): `returnValue` and `assetEvents` with success, `retryable` and `error` with the
 * failures, `rescheduleDate` with up_for_reschedule, `deferral` with deferred.
 */
export interface FinishAttemptRequest {
  state: AttemptEndState;
  workerId: string;
  endDate: Date;
  /** false for FailNoRetry. */
  retryable: boolean;
  /** Pushed as the `return_value` XCom on success; `undefined` pushes nothing. */
  returnValue?: unknown;
  error?: string;
  assetEvents?: AssetEventInput[];
  rescheduleDate?: Date;
  /** With up_for_reschedule: when the try first poked; kept across its reschedules. */
  firstRescheduleDate?: Date;
  deferral?: DeferralRequest;
}

/** Another DAG's run for one logical date, and the states of its task instances (for sensors and triggers). */
export interface DagRunStates {
  dagRun: { runId: string; state: DagRunState } | null;
  taskInstances: Array<{ taskId: string; mapIndex: number; state: TaskInstanceState }>;
}
