import type { TaskAttemptKey } from '../model/keys.ts';
import type { TriggerSpec } from '../model/records.ts';

/** One deferred attempt whose trigger the triggerer should poll once. */
export interface TriggerToPoll {
  ti: TaskAttemptKey;
  trigger: TriggerSpec;
  /** A task token for this attempt: the triggerer reports through the Execution API with it. */
  token: string;
  /** The DAG version of the run and its bundle, where a custom trigger's code lives. */
  versionId: string;
  bundleKey: string;
}

/**
 * What the scheduler sends to the triggerer function: a batch of deferred attempts to poll. Like a task
 * workload it grants nothing beyond the Execution API calls its tokens allow.
 */
export interface RunTriggersWorkload {
  kind: 'RunTriggers';
  triggers: TriggerToPoll[];
  /** When the scheduler sent it (ISO): a poll that arrives too late to matter can tell. */
  sentAt: string;
}

/** How many triggers one message carries: small enough to poll within one bounded invocation. */
export const TRIGGERS_PER_MESSAGE = 25;

/**
 * Where the scheduler hands trigger batches to the triggerer: an SQS queue in AWS and locally. Delivery
 * is at least once; polling a trigger twice is harmless (reporting a fired trigger is idempotent).
 */
export interface TriggerQueue {
  /** Sends the workloads; `delaySeconds` (0..900) holds them back, e.g. until a time trigger is due. */
  send(workloads: readonly RunTriggersWorkload[], options?: { delaySeconds?: number }): Promise<void>;
}
