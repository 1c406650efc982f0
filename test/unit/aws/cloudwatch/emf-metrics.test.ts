import { describe, expect, it } from 'vitest';
import { EmfMetrics, InvalidMetricError, type EmfDocument } from '../../../../src/aws/cloudwatch/emf-metrics.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';

const NOW = '2024-05-01T12:00:00.000Z';
const TS = Date.parse(NOW);

function emf(options: { defaultDimensions?: Record<string, string> } = {}) {
  const lines: string[] = [];
  const metrics = new EmfMetrics({ namespace: 'Updraft', write: (line) => lines.push(line), clock: new ManualClock(NOW), ...options });
  return { metrics, lines, documents: () => lines.map((line) => JSON.parse(line) as EmfDocument) };
}

function caught(action: () => void): InvalidMetricError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidMetricError) return error;
    throw error;
  }
  throw new Error('expected an InvalidMetricError');
}

describe('EmfMetrics', () => {
  it('writes nothing when nothing was recorded', async () => {
    const { metrics, lines } = emf();
    await metrics.flush();
    expect(lines).toEqual([]);
  });

  it('writes one EMF document per dimension set, with the exact members CloudWatch reads', async () => {
    const { metrics, lines } = emf({ defaultDimensions: { service: 'scheduler' } });
    metrics.gauge('executor.open_slots', 30, { executor: 'lambda' });
    metrics.gauge('executor.queued_slots', 2, { executor: 'lambda' }, 'Count');
    metrics.gauge('executor.open_slots', 4, { executor: 'fargate' });
    metrics.timing('scheduler.tick_duration', 120);

    await metrics.flush();

    expect(lines).toEqual([
      JSON.stringify({
        _aws: {
          Timestamp: TS,
          CloudWatchMetrics: [
            {
              Namespace: 'Updraft',
              Dimensions: [['executor', 'service']],
              Metrics: [
                { Name: 'executor.open_slots', Unit: 'None' },
                { Name: 'executor.queued_slots', Unit: 'Count' },
              ],
            },
          ],
        },
        executor: 'lambda',
        service: 'scheduler',
        'executor.open_slots': 30,
        'executor.queued_slots': 2,
      }),
      JSON.stringify({
        _aws: {
          Timestamp: TS,
          CloudWatchMetrics: [
            { Namespace: 'Updraft', Dimensions: [['executor', 'service']], Metrics: [{ Name: 'executor.open_slots', Unit: 'None' }] },
          ],
        },
        executor: 'fargate',
        service: 'scheduler',
        'executor.open_slots': 4,
      }),
      JSON.stringify({
        _aws: {
          Timestamp: TS,
          CloudWatchMetrics: [
            { Namespace: 'Updraft', Dimensions: [['service']], Metrics: [{ Name: 'scheduler.tick_duration', Unit: 'Milliseconds' }] },
          ],
        },
        service: 'scheduler',
        'scheduler.tick_duration': [120],
      }),
    ]);
  });

  it('keeps the last gauge, sums counts and keeps every timing until a flush, then starts afresh', async () => {
    const { metrics, documents } = emf();
    metrics.gauge('executor.running_tasks', 5);
    metrics.gauge('executor.running_tasks', 3);
    metrics.count('ti.finish');
    metrics.count('ti.finish', 4);
    metrics.timing('task.duration', 10);
    metrics.timing('task.duration', 30);
    metrics.timing('task.duration', 10);

    await metrics.flush();
    await metrics.flush();

    expect(documents()).toEqual([
      {
        _aws: {
          Timestamp: TS,
          CloudWatchMetrics: [
            {
              Namespace: 'Updraft',
              Dimensions: [[]],
              Metrics: [
                { Name: 'executor.running_tasks', Unit: 'None' },
                { Name: 'ti.finish', Unit: 'Count' },
                { Name: 'task.duration', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        'executor.running_tasks': 3,
        'ti.finish': 5,
        'task.duration': [10, 30, 10],
      },
    ]);
  });

  it('treats the same dimensions given in another order as one set, and lets a call override a default dimension', async () => {
    const { metrics, documents } = emf({ defaultDimensions: { stage: 'prod' } });
    metrics.count('dag.runs', 1, { dag_id: 'etl', state: 'success' });
    metrics.count('dag.runs', 2, { state: 'success', dag_id: 'etl' });
    metrics.count('dag.runs', 1, { stage: 'dev' });

    await metrics.flush();

    const docs = documents();
    expect(docs.map((d) => [d._aws.CloudWatchMetrics[0]!.Dimensions, d['dag.runs'], d.stage])).toEqual([
      [[['dag_id', 'stage', 'state']], 3, 'prod'],
      [[['stage']], 1, 'dev'],
    ]);
  });

  it('splits a dimension set with more than 100 metrics into documents of at most 100', async () => {
    const { metrics, documents } = emf();
    for (let i = 0; i < 205; i += 1) metrics.gauge(`m${i}`, i);

    await metrics.flush();

    const docs = documents();
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0]!.Metrics.length)).toEqual([100, 100, 5]);
    expect(docs[2]).toEqual({
      _aws: {
        Timestamp: TS,
        CloudWatchMetrics: [
          {
            Namespace: 'Updraft',
            Dimensions: [[]],
            Metrics: ['m200', 'm201', 'm202', 'm203', 'm204'].map((Name) => ({ Name, Unit: 'None' })),
          },
        ],
      },
      m200: 200,
      m201: 201,
      m202: 202,
      m203: 203,
      m204: 204,
    });
    // Every point is written exactly once.
    const written = docs.flatMap((d) => d._aws.CloudWatchMetrics[0]!.Metrics.map((m) => d[m.Name]));
    expect(written).toEqual(Array.from({ length: 205 }, (_, i) => i));
  });

  it('splits a timing with more than 100 values across documents, 100 values each', async () => {
    const { metrics, documents } = emf();
    for (let i = 0; i < 250; i += 1) metrics.timing('task.duration', i);
    metrics.gauge('executor.open_slots', 7);

    await metrics.flush();

    const docs = documents();
    expect(docs).toHaveLength(3);
    expect(docs[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([
      { Name: 'task.duration', Unit: 'Milliseconds' },
      { Name: 'executor.open_slots', Unit: 'None' },
    ]);
    expect(docs[0]!['executor.open_slots']).toBe(7);
    expect(docs[1]).toEqual({
      _aws: {
        Timestamp: TS,
        CloudWatchMetrics: [{ Namespace: 'Updraft', Dimensions: [[]], Metrics: [{ Name: 'task.duration', Unit: 'Milliseconds' }] }],
      },
      'task.duration': Array.from({ length: 100 }, (_, i) => i + 100),
    });
    expect(docs[2]!['task.duration']).toEqual(Array.from({ length: 50 }, (_, i) => i + 200));
  });

  it('writes to stdout by default, one line per document', async () => {
    const chunks: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      chunks.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      const metrics = new EmfMetrics({ namespace: 'Updraft', clock: new ManualClock(NOW) });
      metrics.count('scheduler.ticks');
      await metrics.flush();
    } finally {
      process.stdout.write = original;
    }
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.endsWith('}\n')).toBe(true);
    expect(JSON.parse(chunks[0]!)['scheduler.ticks']).toBe(1);
  });

  describe('refuses what CloudWatch would reject, saying what to change', () => {
    it('a metric name that is empty, too long, not ASCII or reserved', () => {
      const { metrics } = emf();
      expect(caught(() => metrics.gauge('', 1)).message).toBe(
        'The metric name "" is not valid: use 1 to 255 printable ASCII characters, e.g. "executor.open_slots".',
      );
      expect(caught(() => metrics.count('x'.repeat(256))).code).toBe('invalid_metric');
      expect(caught(() => metrics.timing('durée', 1)).message).toContain('printable ASCII');
      expect(caught(() => metrics.gauge('_aws', 1)).message).toBe('The metric name "_aws" is reserved by the EMF format; choose another name.');
    });

    it('more than 30 dimensions, default dimensions included', () => {
      const { metrics } = emf({ defaultDimensions: { service: 'scheduler' } });
      const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'v']));
      const error = caught(() => metrics.gauge('executor.open_slots', 1, thirty));
      expect(error.message).toMatch(/^The dimensions of metric "executor.open_slots" have 31 dimensions \(service, d0, .*d29\); CloudWatch allows at most 30, default dimensions included\. Drop the ones nobody filters by\.$/);
      // Exactly 30 is allowed.
      const { metrics: plain, documents } = emf();
      plain.gauge('executor.open_slots', 1, thirty);
      return plain.flush().then(() => expect(documents()[0]!._aws.CloudWatchMetrics[0]!.Dimensions[0]).toHaveLength(30));
    });

    it('bad dimension names and values, and a dimension named like the metric', () => {
      const { metrics } = emf();
      expect(caught(() => metrics.count('ti.finish', 1, { ':state': 'x' })).message).toBe(
        'In the dimensions of metric "ti.finish", the dimension name ":state" is not valid: use 1 to 255 printable ASCII characters, not starting with ":" and not "_aws", e.g. "executor".',
      );
      expect(caught(() => metrics.count('ti.finish', 1, { state: ' ' })).message).toBe(
        'In the dimensions of metric "ti.finish", dimension "state" has the value " "; a dimension value must be a string of 1 to 1024 printable ASCII characters with at least one that is not a space.',
      );
      expect(caught(() => metrics.count('ti.finish', 1, { 'ti.finish': 'x' })).message).toContain('has a dimension of the same name');
    });

    it('a value that is not a finite number', () => {
      const { metrics } = emf();
      expect(caught(() => metrics.gauge('executor.open_slots', Number.NaN)).message).toBe(
        'Metric "executor.open_slots" got the value NaN; CloudWatch accepts finite numbers only.',
      );
      expect(caught(() => metrics.timing('task.duration', Infinity)).code).toBe('invalid_metric');
    });

    it('one name recorded with two kinds or units in the same dimension set', () => {
      const { metrics } = emf();
      metrics.gauge('pool.slots', 3, { pool: 'default' }, 'Count');
      expect(caught(() => metrics.count('pool.slots', 1, { pool: 'default' })).message).toBe(
        'Metric "pool.slots" with dimensions {"pool":"default"} was recorded as a gauge in Count and now as a count in Count. ' +
          'Record one metric name with one kind and unit; use another name for the other.',
      );
      expect(caught(() => metrics.gauge('pool.slots', 3, { pool: 'default' }, 'Percent')).message).toContain('in Count and now as a gauge in Percent');
    });

    it('a bad namespace or bad default dimensions, at construction', () => {
      expect(() => new EmfMetrics({ namespace: '' })).toThrow('The metrics namespace "" is not valid');
      expect(() => new EmfMetrics({ namespace: 'AWS/Lambda' })).toThrow('which CloudWatch reserves');
      expect(() => new EmfMetrics({ namespace: 'Updraft', defaultDimensions: { service: '' } })).toThrow(
        'In default dimensions, dimension "service" has the value ""',
      );
    });
  });

  it('keeps nothing of a flush whose write failed, so the next flush does not repeat it', async () => {
    let fail = true;
    const lines: string[] = [];
    const metrics = new EmfMetrics({
      namespace: 'Updraft',
      clock: new ManualClock(NOW),
      write: (line) => {
        if (fail) throw new Error('stdout closed');
        lines.push(line);
      },
    });
    metrics.count('a');
    await expect(metrics.flush()).rejects.toThrow('stdout closed');
    fail = false;
    metrics.count('b');
    await metrics.flush();
    expect(lines.map((line) => Object.keys(JSON.parse(line)))).toEqual([['_aws', 'b']]);
  });
});
