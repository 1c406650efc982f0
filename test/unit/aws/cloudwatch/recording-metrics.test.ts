import { describe, expect, it } from 'vitest';
import { noopMetrics, RecordingMetrics } from '../../../../src/core/ports/metrics.ts';

// The port's in-memory implementations, tested beside the EMF adapter they stand in for.
describe('RecordingMetrics', () => {
  it('keeps every point with its kind, unit and dimensions, in order', async () => {
    const metrics = new RecordingMetrics();
    metrics.gauge('executor.open_slots', 3, { executor: 'lambda' });
    metrics.gauge('executor.open_slots', 2, { executor: 'lambda' }, 'Count');
    metrics.count('ti.finish');
    metrics.timing('task.duration', 42, { dag_id: 'etl' });
    await metrics.flush();

    expect(metrics.points).toEqual([
      { name: 'executor.open_slots', value: 3, unit: 'None', dimensions: { executor: 'lambda' }, kind: 'gauge' },
      { name: 'executor.open_slots', value: 2, unit: 'Count', dimensions: { executor: 'lambda' }, kind: 'gauge' },
      { name: 'ti.finish', value: 1, unit: 'Count', dimensions: {}, kind: 'count' },
      { name: 'task.duration', value: 42, unit: 'Milliseconds', dimensions: { dag_id: 'etl' }, kind: 'timing' },
    ]);
    expect(metrics.named('executor.open_slots').map((p) => p.value)).toEqual([3, 2]);
    expect(metrics.flushes).toBe(1);
    metrics.clear();
    expect(metrics.points).toEqual([]);
  });

  it('copies the dimensions, so a caller reusing its object does not rewrite history', () => {
    const metrics = new RecordingMetrics();
    const dimensions: Record<string, string> = { executor: 'lambda' };
    metrics.count('x', 1, dimensions);
    dimensions.executor = 'fargate';
    expect(metrics.points[0]!.dimensions).toEqual({ executor: 'lambda' });
  });
});

describe('noopMetrics', () => {
  it('accepts everything and flushes', async () => {
    noopMetrics.gauge('a', 1);
    noopMetrics.count('b');
    noopMetrics.timing('c', 1);
    await expect(noopMetrics.flush()).resolves.toBeUndefined();
  });
});
