import { describe, expect, it } from 'vitest';
import type { SensorSettings } from '../../../../../src/sdk/index.ts';
import { nextPokeIntervalSeconds, sensorTimedOut } from '../../../../../src/services/task-runner/sensors/poke-schedule.ts';
import { matchesWildcard, wildcardPrefix } from '../../../../../src/core/s3-wildcard.ts';

const settings = (overrides: Partial<SensorSettings> = {}): SensorSettings => ({
  kind: 'custom',
  mode: 'poke',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 3600,
  softFail: false,
  exponentialBackoff: false,
  maxWaitSeconds: null,
  ...overrides,
});
const clock = { dagId: 'd', taskId: 't', startedAt: new Date('2025-01-01T00:00:00Z'), elapsedSeconds: 0, pokeCount: 1 };

describe('sensorTimedOut', () => {
  it('times out only once the wait is strictly longer than the timeout, as Airflow', () => {
    expect(sensorTimedOut({ timeoutSeconds: 60 }, 60)).toBe(false);
    expect(sensorTimedOut({ timeoutSeconds: 60 }, 60.001)).toBe(true);
    expect(sensorTimedOut({ timeoutSeconds: 0 }, 0.5)).toBe(true);
  });
});

describe('nextPokeIntervalSeconds', () => {
  it('is the poke interval without backoff', () => {
    expect(nextPokeIntervalSeconds(settings(), { ...clock, pokeCount: 7 })).toBe(60);
  });

  it('doubles with jitter: between pokeInterval * 2^(n-2) and twice that, and the same for the same task and start', () => {
    const backoff = settings({ exponentialBackoff: true, timeoutSeconds: 1_000_000 });
    for (const pokeCount of [2, 3, 4, 5]) {
      const base = 60 * 2 ** (pokeCount - 2);
      const interval = nextPokeIntervalSeconds(backoff, { ...clock, pokeCount });
      expect(interval).toBeGreaterThanOrEqual(base);
      expect(interval).toBeLessThan(2 * base);
      expect(nextPokeIntervalSeconds(backoff, { ...clock, pokeCount })).toBe(interval);
    }
    // The first poke's minimum is half the interval (2^-1), never below one second.
    expect(nextPokeIntervalSeconds(settings({ exponentialBackoff: true, pokeIntervalSeconds: 1 }), clock)).toBe(1);
  });

  it('never waits past the timeout and at most maxWait', () => {
    const backoff = settings({ exponentialBackoff: true, timeoutSeconds: 1000 });
    expect(nextPokeIntervalSeconds(backoff, { ...clock, pokeCount: 10, elapsedSeconds: 990.7 })).toBe(10);
    expect(nextPokeIntervalSeconds({ ...backoff, maxWaitSeconds: 45 }, { ...clock, pokeCount: 6 })).toBe(45);
  });

  it('estimates the poke count from the time waited in reschedule mode, where each poke is a new process', () => {
    const backoff = settings({ exponentialBackoff: true, mode: 'reschedule', timeoutSeconds: 1_000_000 });
    const early = nextPokeIntervalSeconds(backoff, { ...clock, elapsedSeconds: 0, pokeCount: 1 });
    const later = nextPokeIntervalSeconds(backoff, { ...clock, elapsedSeconds: 2000, pokeCount: 1 });
    expect(early).toBeLessThan(120);
    expect(later).toBeGreaterThanOrEqual(480);
  });
});

describe('wildcards (fnmatch)', () => {
  it('matches *, ? and sets across slashes, literally otherwise', () => {
    expect(matchesWildcard('orders/2025-01-01/part-0001.csv', 'orders/2025-01-01/*.csv')).toBe(true);
    expect(matchesWildcard('orders/2025-01-01/sub/part.csv', 'orders/*.csv')).toBe(true);
    expect(matchesWildcard('orders/x.csv.tmp', 'orders/*.csv')).toBe(false);
    expect(matchesWildcard('a1.txt', 'a?.txt')).toBe(true);
    expect(matchesWildcard('a12.txt', 'a?.txt')).toBe(false);
    expect(matchesWildcard('b.txt', '[abc].txt')).toBe(true);
    expect(matchesWildcard('b.txt', '[!abc].txt')).toBe(false);
    expect(matchesWildcard('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(matchesWildcard('axb', 'a.b')).toBe(false);
  });

  it('lists under the literal part before the first wildcard', () => {
    expect(wildcardPrefix('orders/2025/*/part-?.csv')).toBe('orders/2025/');
    expect(wildcardPrefix('exact/key.csv')).toBe('exact/key.csv');
  });
});
