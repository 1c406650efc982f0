/**
 * Metrics as services emit them. In AWS the CloudWatch EMF adapter stands behind it (a log line that
 * CloudWatch turns into metrics, so a Lambda needs no PutMetricData call and no extra permission);
 * tests and `updraft` commands that print metrics use RecordingMetrics.
 */

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None' | 'Percent' | 'Bytes';

export type Dimensions = Readonly<Record<string, string>>;

/** How a data point aggregates until flush: gauges keep the last value, counts sum, timings keep all. */
export type MetricKind = 'gauge' | 'count' | 'timing';

export interface Metrics {
  /** A level at this moment (`executor.open_slots`); the last value recorded before a flush wins. */
  gauge(name: string, value: number, dimensions?: Dimensions, unit?: MetricUnit): void;
  /** Occurrences (default 1); values recorded before a flush are summed. */
  count(name: string, value?: number, dimensions?: Dimensions): void;
  /** A duration; every value is kept, so CloudWatch can compute percentiles. */
  timing(name: string, milliseconds: number, dimensions?: Dimensions): void;
  /** Writes what was recorded; safe to call when nothing was. */
  flush(): Promise<void>;
}

export const noopMetrics: Metrics = {
  gauge() {},
  count() {},
  timing() {},
  flush: async () => {},
};

export interface MetricPoint {
  name: string;
  value: number;
  unit: MetricUnit;
  dimensions: Dimensions;
  kind: MetricKind;
}

/** Keeps every data point; for tests and for `updraft` commands that print them. */
export class RecordingMetrics implements Metrics {
  readonly points: MetricPoint[] = [];
  /** How many times flush was called: a test can tell that a caller flushed. */
  flushes = 0;

  gauge(name: string, value: number, dimensions: Dimensions = {}, unit: MetricUnit = 'None'): void {
    this.points.push({ name, value, unit, dimensions: { ...dimensions }, kind: 'gauge' });
  }

  count(name: string, value = 1, dimensions: Dimensions = {}): void {
    this.points.push({ name, value, unit: 'Count', dimensions: { ...dimensions }, kind: 'count' });
  }

  timing(name: string, milliseconds: number, dimensions: Dimensions = {}): void {
    this.points.push({ name, value: milliseconds, unit: 'Milliseconds', dimensions: { ...dimensions }, kind: 'timing' });
  }

  async flush(): Promise<void> {
    this.flushes += 1;
  }

  /** The points of one metric, in the order they were recorded. */
  named(name: string): MetricPoint[] {
    return this.points.filter((point) => point.name === name);
  }

  clear(): void {
    this.points.length = 0;
  }
}
