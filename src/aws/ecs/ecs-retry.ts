/** Which ECS answers are worth another try, and how long to wait before it. */

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/**
 * ServerException is ECS's own 5xx. LimitExceededException is a quota (e.g. concurrent Fargate vCPUs)
 * that frees up as other tasks finish, so waiting can help.
 */
const TRANSIENT_NAMES = new Set(['ServerException', 'InternalFailure', 'ServiceUnavailable', 'LimitExceededException']);

interface SdkErrorShape {
  name?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

export function errorName(error: unknown): string {
  const name = shape(error).name;
  return typeof name === 'string' ? name : 'Error';
}

export function isThrottlingError(error: unknown): boolean {
  const e = shape(error);
  return (
    THROTTLING_NAMES.has(errorName(error)) || e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429
  );
}

/** Throttling, or a server-side failure that a later call may not hit. */
export function isRetryableSdkError(error: unknown): boolean {
  if (isThrottlingError(error)) return true;
  if (TRANSIENT_NAMES.has(errorName(error))) return true;
  const status = shape(error).$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * An error without an HTTP status never got an answer from ECS (network failure, timeout): the request
 * may or may not have been handled, and the SDK has already retried it.
 */
export function isUnansweredRequest(error: unknown): boolean {
  return shape(error).$metadata?.httpStatusCode === undefined;
}

const RETRYABLE_FAILURE_PATTERNS: RegExp[] = [
  /^RESOURCE:/i, // RESOURCE:MEMORY, RESOURCE:CPU, RESOURCE:ENI, RESOURCE:PORTS ...
  /^AGENT$/i, // the container agent was reconnecting, which it does several times an hour
  /capacity is unavailable/i,
  /insufficient capacity/i,
  /not enough capacity/i,
  /no capacity/i,
  /throttl/i,
  /rate exceeded/i,
];

/**
 * Whether a RunTask `failures` reason is transient. MISSING (no such task definition or cluster),
 * ATTRIBUTE, INACTIVE and anything unknown are not: repeating the same request would fail the same way.
 */
export function isRetryableRunTaskFailure(reason: string): boolean {
  return RETRYABLE_FAILURE_PATTERNS.some((pattern) => pattern.test(reason.trim()));
}

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^(attempt-1))). */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
