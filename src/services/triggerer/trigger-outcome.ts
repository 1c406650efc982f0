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
