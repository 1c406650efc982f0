import { UpdraftError } from '../../core/errors.ts';
import { systemClock, type Clock } from '../../core/ports/clock.ts';
import type { Dimensions, MetricKind, Metrics, MetricUnit } from '../../core/ports/metrics.ts';

/**
 * CloudWatch Embedded Metric Format: metrics written as structured log lines, which CloudWatch Logs
 * extracts into metrics. A Lambda (or a container with the awslogs driver) needs no PutMetricData call,
 * no permission and no extra latency. Limits below are the EMF specification's.
 */
export const EMF_LIMITS = {
  metricsPerDocument: 100,
  dimensionsPerSet: 30,
  valuesPerMetric: 100,
  nameLength: 255,
  dimensionValueLength: 1024,
} as const;

/** A metric or dimension the EMF adapter cannot write; the message says what to change. */
export class InvalidMetricError extends UpdraftError {
  constructor(message: string) {
    super('invalid_metric', message);
  }
}

export interface EmfMetricsOptions {
  namespace: string;
  /** Added to every data point (a call's own dimensions win on the same key), e.g. `{ service: 'scheduler' }`. */
  defaultDimensions?: Dimensions;
  /** Receives one EMF document per call, without a newline (default: a line on stdout). */
  write?: (line: string) => void;
  clock?: Clock;
}

/** One EMF document as written; exported so tests and tools can read documents back with types. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: MetricUnit }> }>;
  };
  [member: string]: unknown;
}

interface Series {
  name: string;
  unit: MetricUnit;
  kind: MetricKind;
  values: number[];
}

interface DimensionGroup {
  /** Keys sorted, so `{a, b}` and `{b, a}` are the same set. */
  dimensions: Record<string, string>;
  series: Map<string, Series>;
}

const RESERVED_MEMBER = '_aws';
// CloudWatch accepts ASCII only, and no control characters, in metric and dimension names and values.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export class EmfMetrics implements Metrics {
  private readonly namespace: string;
  private readonly defaultDimensions: Dimensions;
  private readonly write: (line: string) => void;
  private readonly clock: Clock;
  private readonly groups = new Map<string, DimensionGroup>();

  constructor(options: EmfMetricsOptions) {
    if (!PRINTABLE_ASCII.test(options.namespace) || options.namespace.trim() === '' || options.namespace.length > EMF_LIMITS.nameLength) {
      throw new InvalidMetricError(
        `The metrics namespace "${options.namespace}" is not valid: use 1 to ${EMF_LIMITS.nameLength} printable ASCII characters, e.g. "Updraft".`,
      );
    }
    if (options.namespace.startsWith('AWS/')) {
      throw new InvalidMetricError(`The metrics namespace "${options.namespace}" starts with "AWS/", which CloudWatch reserves; choose another, e.g. "Updraft".`);
    }
    this.namespace = options.namespace;
    this.defaultDimensions = { ...(options.defaultDimensions ?? {}) };
    checkDimensions(this.defaultDimensions, 'default dimensions');
    this.write = options.write ?? ((line) => void process.stdout.write(`${line}\n`));
    this.clock = options.clock ?? systemClock;
  }

  gauge(name: string, value: number, dimensions?: Dimensions, unit: MetricUnit = 'None'): void {
    this.record('gauge', name, value, dimensions, unit);
  }

  count(name: string, value = 1, dimensions?: Dimensions): void {
    this.record('count', name, value, dimensions, 'Count');
  }

  timing(name: string, milliseconds: number, dimensions?: Dimensions): void {
    this.record('timing', name, milliseconds, dimensions, 'Milliseconds');
  }

  async flush(): Promise<void> {
    if (this.groups.size === 0) return;
    const documents = this.documents(this.clock.now().getTime());
    // Cleared before writing: a write that throws must not make the next flush repeat these points.
    this.groups.clear();
    for (const document of documents) this.write(JSON.stringify(document));
  }

  private record(kind: MetricKind, name: string, value: number, dimensions: Dimensions | undefined, unit: MetricUnit): void {
    checkMetricName(name);
    if (!Number.isFinite(value)) {
      throw new InvalidMetricError(`Metric "${name}" got the value ${String(value)}; CloudWatch accepts finite numbers only.`);
    }
    const merged = { ...this.defaultDimensions, ...(dimensions ?? {}) };
    checkDimensions(merged, `the dimensions of metric "${name}"`);
    if (Object.hasOwn(merged, name)) {
      throw new InvalidMetricError(
        `Metric "${name}" has a dimension of the same name; in an EMF document both are members of one object. Rename the metric or the dimension.`,
      );
    }
    const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const groupKey = JSON.stringify(sorted);
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { dimensions: sorted, series: new Map() };
      this.groups.set(groupKey, group);
    }
    const existing = group.series.get(name);
    if (!existing) {
      group.series.set(name, { name, unit, kind, values: [value] });
      return;
    }
    if (existing.kind !== kind || existing.unit !== unit) {
      throw new InvalidMetricError(
        `Metric "${name}" with dimensions ${groupKey} was recorded as a ${existing.kind} in ${existing.unit} and now as a ${kind} in ${unit}. ` +
          'Record one metric name with one kind and unit; use another name for the other.',
      );
    }
    if (kind === 'gauge') existing.values[0] = value;
    else if (kind === 'count') existing.values[0] = (existing.values[0] ?? 0) + value;
    else existing.values.push(value);
  }

  /**
   * One document per dimension set, split where a limit would be passed: at 100 metrics, and, for a
   * timing with more than 100 values, into as many documents as its values need (each document
   * carrying the next 100 values of every metric that still has some).
   */
  private documents(timestamp: number): EmfDocument[] {
    const documents: EmfDocument[] = [];
    for (const group of this.groups.values()) {
      const series = [...group.series.values()];
      for (let round = 0; ; round += 1) {
        const start = round * EMF_LIMITS.valuesPerMetric;
        const present = series.filter((s) => s.values.length > start);
        if (present.length === 0) break;
        for (let offset = 0; offset < present.length; offset += EMF_LIMITS.metricsPerDocument) {
          const batch = present.slice(offset, offset + EMF_LIMITS.metricsPerDocument);
          const document: EmfDocument = {
            _aws: {
              Timestamp: timestamp,
              CloudWatchMetrics: [
                {
                  Namespace: this.namespace,
                  Dimensions: [Object.keys(group.dimensions)],
                  Metrics: batch.map((s) => ({ Name: s.name, Unit: s.unit })),
                },
              ],
            },
            ...group.dimensions,
          };
          for (const s of batch) {
            const values = s.values.slice(start, start + EMF_LIMITS.valuesPerMetric);
            // Timings are always arrays (a distribution); gauges and counts are one number.
            document[s.name] = s.kind === 'timing' ? values : values[0];
          }
          documents.push(document);
        }
      }
    }
    return documents;
  }
}

function checkMetricName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > EMF_LIMITS.nameLength || !PRINTABLE_ASCII.test(name)) {
    throw new InvalidMetricError(
      `The metric name "${String(name)}" is not valid: use 1 to ${EMF_LIMITS.nameLength} printable ASCII characters, e.g. "executor.open_slots".`,
    );
  }
  if (name === RESERVED_MEMBER) {
    throw new InvalidMetricError(`The metric name "${RESERVED_MEMBER}" is reserved by the EMF format; choose another name.`);
  }
}

function checkDimensions(dimensions: Record<string, string>, what: string): void {
  const keys = Object.keys(dimensions);
  if (keys.length > EMF_LIMITS.dimensionsPerSet) {
    throw new InvalidMetricError(
      `${capitalize(what)} have ${keys.length} dimensions (${keys.join(', ')}); CloudWatch allows at most ${EMF_LIMITS.dimensionsPerSet}, ` +
        'default dimensions included. Drop the ones nobody filters by.',
    );
  }
  for (const key of keys) {
    if (key.trim() === '' || key.length > EMF_LIMITS.nameLength || !PRINTABLE_ASCII.test(key) || key.startsWith(':') || key === RESERVED_MEMBER) {
      throw new InvalidMetricError(
        `In ${what}, the dimension name "${key}" is not valid: use 1 to ${EMF_LIMITS.nameLength} printable ASCII characters, ` +
          `not starting with ":" and not "${RESERVED_MEMBER}", e.g. "executor".`,
      );
    }
    const value = dimensions[key];
    if (typeof value !== 'string' || value.trim() === '' || value.length > EMF_LIMITS.dimensionValueLength || !PRINTABLE_ASCII.test(value)) {
      throw new InvalidMetricError(
        `In ${what}, dimension "${key}" has the value ${JSON.stringify(value)}; a dimension value must be a string of 1 to ` +
          `${EMF_LIMITS.dimensionValueLength} printable ASCII characters with at least one that is not a space.`,
      );
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
