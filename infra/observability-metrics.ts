import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { EXECUTOR_DIMENSION, METRIC_NAMES } from '../src/core/metric-names.ts';

/** A failure rate over fewer finished tasks than this says more about luck than about the deployment. */
export const TASK_FAILURE_RATE_MIN_TASKS = 5;

/**
 * Updraft's own (EMF) metrics in one namespace, built from METRIC_NAMES only, so the dashboard and the
 * alarms read exactly what the services write. Executor gauges carry the `executor` dimension; the
 * other metrics are written without dimensions and must be read without them, or CloudWatch finds
 * no data.
 */
export class UpdraftMetrics {
  constructor(private readonly namespace: string) {}

  private metric(metricName: string, options: MetricOptions): Metric {
    return new Metric({ namespace: this.namespace, metricName, ...options });
  }

  executorOpenSlots(executor: string): Metric {
    return this.executorGauge(METRIC_NAMES.executorOpenSlots, executor, 'open');
  }

  executorQueuedSlots(executor: string): Metric {
    return this.executorGauge(METRIC_NAMES.executorQueuedSlots, executor, 'queued');
  }

  executorRunningTasks(executor: string): Metric {
    return this.executorGauge(METRIC_NAMES.executorRunningTasks, executor, 'running');
  }

  private executorGauge(metricName: string, executor: string, label: string): Metric {
    return this.metric(metricName, {
      dimensionsMap: { [EXECUTOR_DIMENSION]: executor },
      statistic: Stats.MAXIMUM,
      period: Duration.minutes(1),
      label,
    });
  }

  /** Sum per period: one per tick, so a 1-minute sum below 1 is a minute without a tick. */
  schedulerHeartbeat(period = Duration.minutes(1)): Metric {
    return this.metric(METRIC_NAMES.schedulerHeartbeat, { statistic: Stats.SUM, period, label: 'heartbeats' });
  }

  schedulerTickDuration(statistic: string): Metric {
    return this.metric(METRIC_NAMES.schedulerTickDuration, { statistic, period: Duration.minutes(5), label: `tick ${statistic}` });
  }

  schedulerSecondsSinceLastTick(): Metric {
    return this.metric(METRIC_NAMES.schedulerSecondsSinceLastTick, {
      statistic: Stats.MAXIMUM,
      period: Duration.minutes(1),
      label: 'seconds since last tick',
    });
  }

  dagImportErrors(period = Duration.minutes(1)): Metric {
    return this.metric(METRIC_NAMES.dagImportErrors, { statistic: Stats.MAXIMUM, period, label: 'DAG files failing to import' });
  }

  taskSuccesses(period = Duration.minutes(5)): Metric {
    return this.metric(METRIC_NAMES.taskSuccesses, { statistic: Stats.SUM, period, label: 'succeeded' });
  }

  taskFailures(period = Duration.minutes(5)): Metric {
    return this.metric(METRIC_NAMES.taskFailures, { statistic: Stats.SUM, period, label: 'failed' });
  }

  /**
   * Percentage of finished task instances that failed, 0 while fewer than TASK_FAILURE_RATE_MIN_TASKS
   * finished. FILL makes a period with successes and no failures (or the reverse) count as 0 instead of
   * dropping the point, which plain arithmetic on a missing value would do.
   */
  taskFailureRate(period: Duration): MathExpression {
    const s = this.taskSuccesses(period);
    const f = this.taskFailures(period);
    return new MathExpression({
      expression: `IF(total >= ${TASK_FAILURE_RATE_MIN_TASKS}, 100 * failed / total, 0)`,
      usingMetrics: {
        failed: new MathExpression({ expression: 'FILL(f, 0)', usingMetrics: { f }, period }),
        total: new MathExpression({ expression: 'FILL(s, 0) + FILL(f, 0)', usingMetrics: { s, f }, period }),
      },
      period,
      label: 'task failure rate (%)',
    });
  }
}
