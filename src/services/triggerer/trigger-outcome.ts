import { UpdraftError } from '../../core/errors.ts';

/**
 * What one poll of a trigger found: it fired (with the event's payload), not yet, or the trigger itself
 * failed (the waiting task then fails, as in Airflow).
 */
export type TriggerOutcome = { kind: 'fired'; payload: unknown } | { kind: 'waiting'; why?: string } | { kind: 'failed'; error: string };

/** A trigger decided the awaited thing will never happen (e.g. the other run failed): the task fails. */
export class TriggerFailedError extends UpdraftError {
  constructor(message: string) {
    super('trigger_failed', message);
  }
}

/** A trigger kind the triggerer cannot evaluate (not built in, and not defined in the DAG's bundle). */
export class UnknownTriggerError extends UpdraftError {
  constructor(message: string) {
    super('unknown_trigger', message);
  }
}

/**
 * One poll bounded by `timeoutMs`: a poll past its limit is aborted and answers "not yet"; a throw is the
 * trigger's failure, unless `onError` (given the error) decides otherwise or rethrows.
 */
export async function pollWithTimeLimit(
  evaluate: (signal: AbortSignal) => Promise<TriggerOutcome>,
  timeoutMs: number,
  options: { lateWhy?: string; onError?: (error: unknown) => TriggerOutcome | null } = {},
): Promise<TriggerOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<TriggerOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`the poll took longer than ${timeoutMs} ms`));
      resolve({ kind: 'waiting', why: options.lateWhy ?? `the poll took longer than ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const work = evaluate(controller.signal).catch((error: unknown): TriggerOutcome => {
    if (controller.signal.aborted) return { kind: 'waiting', why: 'the poll was cut off at its time limit' };
    const decided = options.onError?.(error);
    if (decided) return decided;
    const name = error instanceof Error ? error.name : 'Error';
    return { kind: 'failed', error: `${name}: ${error instanceof Error ? error.message : String(error)}` };
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
