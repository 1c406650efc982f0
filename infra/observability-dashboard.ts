import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Stats, TextWidget, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_NAMES, type FunctionName } from '../src/core/deployment/function-names.ts';
import type { UpdraftMetrics } from './observability-metrics.ts';
import type { ObservabilityProps } from './observability.ts';

/** A CloudWatch dashboard is 24 units wide. */
const FULL = 24;
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;

export type UpdraftDashboardProps = Pick<ObservabilityProps, 'stage' | 'namespace' | 'executors' | 'functions' | 'taskQueue' | 'deadLetterQueue'> & {
  metrics: UpdraftMetrics;
};

function introduction(props: UpdraftDashboardProps): TextWidget {
  return new TextWidget({
    width: FULL,
    height: 3,
    markdown: [
      `# Updraft, stage \`${props.stage}\``,
      `Executor slots, the task queue, task outcomes, the scheduler, DAG import errors and the functions. ` +
        `Updraft's own metrics are in the CloudWatch namespace \`${props.namespace}\`; the alarms of this stage ` +
        `are named \`updraft-${props.stage}-*\`. See docs/observability.md for what each graph means.`,
    ].join('\n\n'),
  });
}

function executorWidgets(props: UpdraftDashboardProps): IWidget[] {
  const width = props.executors.length === 1 ? FULL : props.executors.length === 2 ? HALF : THIRD;
  return props.executors.map(
    (executor) =>
      new GraphWidget({
        title: `Executor ${executor}: slots`,
        width,
        height: HEIGHT,
        left: [
          props.metrics.executorOpenSlots(executor),
          props.metrics.executorQueuedSlots(executor),
          props.metrics.executorRunningTasks(executor),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
  );
}

function queueWidgets(props: UpdraftDashboardProps): IWidget[] {
  const oneMinuteMax = { statistic: Stats.MAXIMUM, period: Duration.minutes(1) };
  return [
    new GraphWidget({
      title: 'Task queue: depth and age of oldest message',
      width: HALF,
      height: HEIGHT,
      left: [props.taskQueue.metricApproximateNumberOfMessagesVisible({ ...oneMinuteMax, label: 'messages visible' })],
      right: [props.taskQueue.metricApproximateAgeOfOldestMessage({ ...oneMinuteMax, label: 'age of oldest (s)' })],
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
    }),
    new GraphWidget({
      title: 'Task dead-letter queue: depth',
      width: HALF,
      height: HEIGHT,
      left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...oneMinuteMax, label: 'dead letters' })],
      leftYAxis: { min: 0, showUnits: false },
    }),
  ];
}

function outcomeWidgets(props: UpdraftDashboardProps): IWidget[] {
  return [
    new GraphWidget({
      title: 'Task instances finished (sum per 5 minutes)',
      width: HALF,
      height: HEIGHT,
      period: Duration.minutes(5),
      left: [props.metrics.taskSuccesses(Duration.minutes(5)), props.metrics.taskFailures(Duration.minutes(5))],
      leftYAxis: { min: 0, showUnits: false },
    }),
    new GraphWidget({
      title: 'DAG import errors (max)',
      width: HALF,
      height: HEIGHT,
      left: [props.metrics.dagImportErrors(Duration.minutes(1))],
      leftYAxis: { min: 0, showUnits: false },
    }),
  ];
}

function schedulerWidgets(props: UpdraftDashboardProps): IWidget[] {
  return [
    new GraphWidget({
      title: 'Scheduler tick duration (ms)',
      width: HALF,
      height: HEIGHT,
      left: [Stats.p(50), Stats.p(99), Stats.MAXIMUM].map((statistic) => props.metrics.schedulerTickDuration(statistic)),
      leftYAxis: { min: 0, showUnits: false },
    }),
    new GraphWidget({
      title: 'Scheduler: seconds since last tick (max) and heartbeats',
      width: HALF,
      height: HEIGHT,
      left: [props.metrics.schedulerSecondsSinceLastTick()],
      right: [props.metrics.schedulerHeartbeat(Duration.minutes(1))],
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
    }),
  ];
}

function functionWidgets(props: UpdraftDashboardProps): IWidget[] {
  const entries = FUNCTION_NAMES.map((name) => [name, props.functions[name]] as const);
  const fiveMinuteSum = (label: string) => ({ statistic: Stats.SUM, period: Duration.minutes(5), label });
  return [
    new GraphWidget({
      title: 'Lambda errors (sum per 5 minutes)',
      width: THIRD,
      height: HEIGHT,
      left: entries.map(([name, fn]) => fn.metricErrors(fiveMinuteSum(name))),
      leftYAxis: { min: 0, showUnits: false },
    }),
    new GraphWidget({
      title: 'Lambda throttles (sum per 5 minutes)',
      width: THIRD,
      height: HEIGHT,
      left: entries.map(([name, fn]) => fn.metricThrottles(fiveMinuteSum(name))),
      leftYAxis: { min: 0, showUnits: false },
    }),
    new GraphWidget({
      title: 'Worker concurrent executions (max)',
      width: THIRD,
      height: HEIGHT,
      left: [
        props.functions.worker.metric('ConcurrentExecutions', {
          statistic: Stats.MAXIMUM,
          period: Duration.minutes(1),
          label: 'worker',
        }),
      ],
      leftYAxis: { min: 0, showUnits: false },
    }),
  ];
}

/**
 * The dashboard `updraft-<stage>`: one row per concern, in the order someone looking into a problem
 * asks about it (is work flowing, is it succeeding, is the scheduler alive, are the functions healthy).
 */
export function createDashboard(scope: Construct, id: string, props: UpdraftDashboardProps): Dashboard {
  const dashboard = new Dashboard(scope, id, {
    dashboardName: `updraft-${props.stage}`,
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(introduction(props));
  dashboard.addWidgets(...executorWidgets(props));
  dashboard.addWidgets(...queueWidgets(props));
  dashboard.addWidgets(...outcomeWidgets(props));
  dashboard.addWidgets(...schedulerWidgets(props));
  dashboard.addWidgets(...functionWidgets(props));
  return dashboard;
}
