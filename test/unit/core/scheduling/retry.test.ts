import { describe, expect, it } from 'vitest';
import { canRetry, MAX_RETRY_DELAY_SECONDS, retryDelaySeconds } from '../../../../src/core/scheduling/retry.ts';

const attempt = (tryNumber: number, overrides: Partial<{ dagId: string; taskId: string; logicalDate: Date }> = {}) => ({
  dagId: 'etl',
  taskId: 'extract',
  runId: 'scheduled__2024-01-01T00:00:00+00:00',
  logicalDate: new Date('2024-01-01T00:00:00Z'),
  tryNumber,
  ...overrides,
});

const constant = { retryDelaySeconds: 300, retryExponentialBackoff: false, maxRetryDelaySeconds: null };
const exponential = { retryDelaySeconds: 300, retryExponentialBackoff: true, maxRetryDelaySeconds: null };

describe('retryDelaySeconds', () => {
  it('waits the plain retry delay without backoff, whatever the try', () => {
    expect(retryDelaySeconds(constant, attempt(1))).toBe(300);
    expect(retryDelaySeconds(constant, attempt(7))).toBe(300);
  });

  it("matches Airflow 3's next_retry_datetime exactly for a known attempt", () => {
    // Computed with Airflow's formula: ceil(300 * 2^(n-1)) + sha1("etl#extract#2024-01-01 00:00:00+00:00#n") % that.
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(exponential, attempt(n)))).toEqual([404, 775, 2173, 4130]);
  });

  it('hashes the logical date as Python prints it, microseconds included', () => {
    const logicalDate = new Date('2024-03-05T06:07:08.123Z');
    expect(retryDelaySeconds(exponential, attempt(2, { logicalDate }))).toBe(905);
  });

  it('keeps the jittered delay within [base·2^(n-1), base·2^n)', () => {
    for (let n = 1; n <= 5; n += 1) {
      for (const taskId of ['a', 'b', 'c', 'd', 'e', 'f']) {
        const delay = retryDelaySeconds(exponential, attempt(n, { taskId }));
        expect(delay).toBeGreaterThanOrEqual(300 * 2 ** (n - 1));
        expect(delay).toBeLessThan(300 * 2 ** n);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('caps the exponential delay at maxRetryDelay', () => {
    expect(retryDelaySeconds({ ...exponential, maxRetryDelaySeconds: 600 }, attempt(3))).toBe(600);
    expect(retryDelaySeconds({ ...exponential, maxRetryDelaySeconds: 600 }, attempt(1))).toBe(404);
  });

  it('treats a maxRetryDelay of zero as no cap, as Python truthiness does', () => {
    expect(retryDelaySeconds({ ...exponential, maxRetryDelaySeconds: 0 }, attempt(2))).toBe(775);
  });

  it('never waits longer than a day, even after many tries', () => {
    expect(retryDelaySeconds({ ...exponential, retryDelaySeconds: 3600 }, attempt(10))).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(exponential, attempt(5000))).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('waits at least a second when the base delay is zero', () => {
    expect(retryDelaySeconds({ ...exponential, retryDelaySeconds: 0 }, attempt(1))).toBe(1);
  });
});

describe('canRetry', () => {
  it('allows another attempt only while tries remain', () => {
    expect(canRetry(1, 3)).toBe(true);
    expect(canRetry(2, 3)).toBe(true);
    expect(canRetry(3, 3)).toBe(false);
    expect(canRetry(1, 1)).toBe(false);
  });
});
