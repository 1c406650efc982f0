import type { RunDagCallbackWorkload } from '../model/workload.ts';
import type { Executor } from './executor.ts';

/**
 * An executor that can also hand a DAG-run callback to its workers. A callback is not a task attempt:
 * it takes no slot and is not tracked, so it can neither wait for a free slot nor leak one. The
 * `lambda` executor (the worker queue) is one; `fargate` is not (one ECS task per callback would cost
 * a minute of start-up for a notification), so a DAG's callbacks go to the first executor that is.
 */
export interface DagCallbackSender {
  /** Resolves once the callback will be delivered at least once. */
  sendDagCallback(workload: RunDagCallbackWorkload): Promise<void>;
}

export function isDagCallbackSender(value: unknown): value is DagCallbackSender {
  return typeof value === 'object' && value !== null && typeof (value as { sendDagCallback?: unknown }).sendDagCallback === 'function';
}

/** The executor DAG-run callbacks go to: the first configured (the default first) that can send them. */
export function dagCallbackSenderOf(executors: readonly Executor[]): (Executor & DagCallbackSender) | null {
  for (const executor of executors) if (isDagCallbackSender(executor)) return executor;
  return null;
}
