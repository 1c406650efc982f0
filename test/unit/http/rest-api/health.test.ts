import { MONITOR_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/monitor.ts';
import { describe, expect, it } from 'vitest';
import { methodsForPath, schedulerStatus } from '../../../../src/http/rest-api/index.ts';

const now = new Date('2026-03-01T10:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe('schedulerStatus', () => {
  it('is healthy while the heartbeat is strictly younger than the threshold, as Airflow\'s Job.is_alive', () => {
    expect(schedulerStatus(secondsAgo(0), now, 180)).toBe('healthy');
    expect(schedulerStatus(secondsAgo(179.999), now, 180)).toBe('healthy');
    expect(schedulerStatus(secondsAgo(180), now, 180)).toBe('unhealthy');
    expect(schedulerStatus(secondsAgo(3600), now, 180)).toBe('unhealthy');
  });

  it('counts a heartbeat slightly ahead of this clock as healthy: clocks of two machines differ', () => {
    expect(schedulerStatus(new Date(now.getTime() + 2000), now, 180)).toBe('healthy');
  });

  it('is unhealthy when no scheduler ever heartbeat', () => {
    expect(schedulerStatus(null, now, 180)).toBe('unhealthy');
  });
});

describe('methodsForPath', () => {
  it('names the methods served at a path, and none for a path no route has', () => {
    expect(methodsForPath(MONITOR_ENDPOINTS, '/api/v2/version')).toEqual(['GET']);
    expect(methodsForPath(MONITOR_ENDPOINTS, '/api/v2/version/')).toEqual([]);
    expect(methodsForPath(MONITOR_ENDPOINTS, '/api/v2/versions')).toEqual([]);
  });
});
