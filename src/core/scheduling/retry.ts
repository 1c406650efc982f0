import { createHash } from 'node:crypto';
import type { SerializedTask } from '../model/serialized-dag.ts';

/** Airflow's `[core] max_task_retry_delay` default: no exponential delay grows past a day. */
export const MAX_RETRY_DELAY_SECONDS = 24 * 60 * 60;

export type RetryPolicy = Pick<SerializedTask, 'retryDelaySeconds' | 'retryExponentialBackoff' | 'maxRetryDelaySeconds'>;

export interface FailedAttempt {
  dagId: string;
  taskId: string;
  runId: string;
  logicalDate: Date;
  /** The attempt that just failed (1 for the first). */
  tryNumber: number;
}

/**
 * Seconds to wait before the attempt after `attempt.tryNumber`, as Airflow 3's
 * `TaskInstance.next_retry_datetime` computes it. With exponential backoff the delay lies in
 * [base·2^(n-1), base·2^n) with a jitter derived from a SHA-1 of the attempt, so every scheduler (and a
 * retried computation) arrives at the same instant; it is capped at a day, then at `maxRetryDelaySeconds`.
 */
export function retryDelaySeconds(task: RetryPolicy, attempt: FailedAttempt): number {
  if (!task.retryExponentialBackoff) return task.retryDelaySeconds;
  // Airflow rounds up, and floors at 1 so the modulo below never divides by zero.
  const minBackoff = Math.max(1, Math.ceil(task.retryDelaySeconds * 2 ** (attempt.tryNumber - 1)));
  let delay: number;
  if (!Number.isFinite(minBackoff) || minBackoff >= MAX_RETRY_DELAY_SECONDS) {
    delay = MAX_RETRY_DELAY_SECONDS;
  } else {
    const seed = `${attempt.dagId}#${attempt.taskId}#${pythonDatetimeStr(attempt.logicalDate)}#${attempt.tryNumber}`;
    const hash = BigInt(`0x${createHash('sha1').update(seed).digest('hex')}`);
    const modded = minBackoff + Number(hash % BigInt(minBackoff));
    delay = Math.min(modded, MAX_RETRY_DELAY_SECONDS);
  }
  // Python's truthiness: a max_retry_delay of zero means "no cap".
  if (task.maxRetryDelaySeconds) delay = Math.min(task.maxRetryDelaySeconds, delay);
  return delay;
}

/** Whether an attempt that failed may be followed by another one. */
export function canRetry(tryNumber: number, maxTries: number): boolean {
  return tryNumber < maxTries;
}

/**
 * `str()` of a timezone-aware UTC Python datetime (`2024-01-01 00:00:00+00:00`, microseconds only when
 * non-zero): Airflow hashes that text, and matching it keeps our jitter identical to Airflow's.
 */
export function pythonDatetimeStr(date: Date): string {
  const iso = date.toISOString(); // 2024-01-01T00:00:00.123Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const millis = date.getUTCMilliseconds();
  const fraction = millis === 0 ? '' : `.${String(millis * 1000).padStart(6, '0')}`;
  return `${base}${fraction}+00:00`;
}
