import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, type CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observability } from '../../infra/observability.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../src/core/deployment/function-names.ts';
import { EXECUTOR_DIMENSION, METRIC_NAMES } from '../../src/core/metric-names.ts';

type Resource = { Type: string; Properties: Record<string, any> };
type Violation = { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] };

const NAMESPACE = 'UpdraftTest';
const EXECUTORS = ['lambda', 'fargate', 'gpu'];
const EMAIL = 'oncall@example.com';

let outdir: string;
let template: Template;
let violations: Violation[];
/** The two queues of the lambda executor, built here so this test does not depend on TaskQueue's props. */
function taskQueues(stack: Stack): { queue: Queue; deadLetterQueue: Queue } {
  const deadLetterQueue = new Queue(stack, 'DeadLetterQueue', { enforceSSL: true });
  const queue = new Queue(stack, 'TaskQueue', { enforceSSL: true, deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 } });
  return { queue, deadLetterQueue };
}

const logicalIds: { functions: Record<FunctionName, string>; queue: string; deadLetterQueue: string } = {} as never;

// One stack, two stages: `prod` subscribes an email address, `quiet` does not.
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'updraft-observability-'));
  // Reported, not thrown: the dummy functions break AwsSolutions rules that are not this construct's.
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = new Stack(app, 'ObservabilityTest');
  const functions = Object.fromEntries(
    FUNCTION_NAMES.map((name) => [
      name,
      new Function(stack, `Function-${name}`, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = () => {};') }),
    ]),
  ) as Record<FunctionName, Function>;
  const taskQueue = taskQueues(stack);
  const common = { namespace: NAMESPACE, executors: EXECUTORS, functions, taskQueue: taskQueue.queue, deadLetterQueue: taskQueue.deadLetterQueue };
  new Observability(stack, 'Prod', { ...common, stage: 'prod', alarmEmail: EMAIL });
  new Observability(stack, 'Quiet', { ...common, stage: 'quiet' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  logicalIds.functions = Object.fromEntries(
    FUNCTION_NAMES.map((name) => [name, stack.getLogicalId(functions[name].node.defaultChild as CfnFunction)]),
  ) as Record<FunctionName, string>;
  logicalIds.queue = stack.getLogicalId(taskQueue.queue.node.defaultChild as CfnQueue);
  logicalIds.deadLetterQueue = stack.getLogicalId(taskQueue.deadLetterQueue.node.defaultChild as CfnQueue);

  const assembly = app.synth();
  template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  violations = report.pluginReports.flatMap((plugin: { violations: Violation[] }) => plugin.violations);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function alarmNamed(name: string): Record<string, any> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } })) as Resource[];
  expect(found, `alarm ${name}`).toHaveLength(1);
  return found[0]!.Properties;
}

function topicRef(stage: string): { Ref: string } {
  const ids = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: `updraft-${stage}-alarms` } }));
  expect(ids, `topic of stage ${stage}`).toHaveLength(1);
  return { Ref: ids[0]! };
}

/** The dashboard body with every CloudFormation reference written as `<ref:LogicalId>`, parsed. */
function dashboardBody(stage: string): { widgets: { type: string; properties: Record<string, any> }[] } {
  const found = Object.values(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: `updraft-${stage}` } })) as Resource[];
  expect(found, `dashboard updraft-${stage}`).toHaveLength(1);
  const [, parts] = found[0]!.Properties.DashboardBody['Fn::Join'] as [string, unknown[]];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return `<ref:${token.Ref ?? token['Fn::GetAtt']![0]}>`;
    })
    .join('');
  return JSON.parse(text);
}

function graph(stage: string, title: string): { metrics: unknown[][]; period: number } {
  const widgets = dashboardBody(stage).widgets.filter((w) => w.properties.title === title);
  expect(widgets.map((w) => w.properties.title), `widget "${title}"`).toEqual([title]);
  return widgets[0]!.properties as { metrics: unknown[][]; period: number };
}

describe('alarms', () => {
  it('notifies the stage topic when each alarm fires and when it clears', () => {
    for (const name of ['dead-letters', 'scheduler-not-ticking', 'dag-import-errors', 'task-failure-rate']) {
      const alarm = alarmNamed(`updraft-prod-${name}`);
      expect(alarm.AlarmActions, name).toEqual([topicRef('prod')]);
      expect(alarm.OKActions, name).toEqual([topicRef('prod')]);
      expect(alarm.AlarmDescription, name).toMatch(/First: /);
    }
  });

  it('fires on any message in the dead-letter queue within a minute', () => {
    expect(alarmNamed('updraft-prod-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIds.deadLetterQueue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('fires after three minutes without a scheduler heartbeat, silence included', () => {
    const alarm = alarmNamed('updraft-prod-scheduler-not-ticking');
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: METRIC_NAMES.schedulerHeartbeat }, Period: 60, Stat: 'Sum' },
        ReturnData: true,
      }),
    ]);
    expect(alarm).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
  });

  it('fires while any DAG file fails to import, and stays quiet without data', () => {
    const alarm = alarmNamed('updraft-prod-dag-import-errors');
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: expect.objectContaining({ Metric: { Namespace: NAMESPACE, MetricName: METRIC_NAMES.dagImportErrors }, Stat: 'Maximum' }),
      }),
    ]);
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, TreatMissingData: 'notBreaching' });
  });

  it('fires above 20% failed task instances over 15 minutes, only once at least 5 finished', () => {
    const alarm = alarmNamed('updraft-prod-task-failure-rate');
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 20, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    const queries = alarm.Metrics as { Id: string; Expression?: string; ReturnData: boolean; MetricStat?: any }[];
    const byId = new Map(queries.map((query) => [query.Id, query]));
    const returned = queries.filter((query) => query.ReturnData);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.Expression).toBe('IF(total >= 5, 100 * failed / total, 0)');
    expect(byId.get('total')?.Expression).toBe('FILL(s, 0) + FILL(f, 0)');
    expect(byId.get('failed')?.Expression).toBe('FILL(f, 0)');
    const stat = (metricName: string) => ({ Metric: { Namespace: NAMESPACE, MetricName: metricName }, Period: 900, Stat: 'Sum' });
    expect(byId.get('s')?.MetricStat).toEqual(stat(METRIC_NAMES.taskSuccesses));
    expect(byId.get('f')?.MetricStat).toEqual(stat(METRIC_NAMES.taskFailures));
  });
});

describe('alarm topic', () => {
  it('is named after the stage and refuses publishing without TLS', () => {
    const { Ref } = topicRef('prod');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes the alarm email address only where one is given', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subscriptions.map((s) => s.Properties)).toEqual([{ Protocol: 'email', Endpoint: EMAIL, TopicArn: topicRef('prod') }]);
  });
});

describe('dashboard', () => {
  it('opens with a text widget naming the stage', () => {
    const [first] = dashboardBody('prod').widgets;
    expect(first?.type).toBe('text');
    expect(first?.properties.markdown).toContain('`prod`');
  });

  it('graphs open, queued and running slots for every executor alias', () => {
    for (const executor of EXECUTORS) {
      const { metrics } = graph('prod', `Executor ${executor}: slots`);
      expect(metrics.map((m) => m.slice(0, 4))).toEqual(
        [METRIC_NAMES.executorOpenSlots, METRIC_NAMES.executorQueuedSlots, METRIC_NAMES.executorRunningTasks].map((name) => [
          NAMESPACE,
          name,
          EXECUTOR_DIMENSION,
          executor,
        ]),
      );
    }
  });

  it('graphs errors and throttles of every function, and worker concurrency', () => {
    for (const [title, metricName] of [
      ['Lambda errors (sum per 5 minutes)', 'Errors'],
      ['Lambda throttles (sum per 5 minutes)', 'Throttles'],
    ] as const) {
      const { metrics } = graph('prod', title);
      expect(metrics.map((m) => m.slice(0, 4))).toEqual(
        FUNCTION_NAMES.map((name) => ['AWS/Lambda', metricName, 'FunctionName', `<ref:${logicalIds.functions[name]}>`]),
      );
      expect(metrics.map((m) => (m[4] as { label: string }).label)).toEqual([...FUNCTION_NAMES]);
    }
    expect(graph('prod', 'Worker concurrent executions (max)').metrics.map((m) => m.slice(0, 4))).toEqual([
      ['AWS/Lambda', 'ConcurrentExecutions', 'FunctionName', `<ref:${logicalIds.functions.worker}>`],
    ]);
  });

  it('graphs the task queue, the dead-letter queue, outcomes, the scheduler and import errors', () => {
    const named = (title: string) => graph('prod', title).metrics.map((m) => m.slice(0, 4));
    expect(named('Task queue: depth and age of oldest message')).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `<ref:${logicalIds.queue}>`],
      ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', `<ref:${logicalIds.queue}>`],
    ]);
    expect(named('Task dead-letter queue: depth')).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `<ref:${logicalIds.deadLetterQueue}>`],
    ]);
    const own = (title: string) =>
      graph('prod', title).metrics.map((m) => [m[0], m[1], m[2] as { stat: string }] as const);
    expect(own('Task instances finished (sum per 5 minutes)').map(([, name, options]) => [name, options.stat])).toEqual([
      [METRIC_NAMES.taskSuccesses, 'Sum'],
      [METRIC_NAMES.taskFailures, 'Sum'],
    ]);
    expect(graph('prod', 'Task instances finished (sum per 5 minutes)').period).toBe(300);
    expect(own('Scheduler tick duration (ms)').map(([, name, options]) => [name, options.stat])).toEqual([
      [METRIC_NAMES.schedulerTickDuration, 'p50'],
      [METRIC_NAMES.schedulerTickDuration, 'p99'],
      [METRIC_NAMES.schedulerTickDuration, 'Maximum'],
    ]);
    expect(own('Scheduler: seconds since last tick (max) and heartbeats').map(([, name, options]) => [name, options.stat])).toEqual([
      [METRIC_NAMES.schedulerSecondsSinceLastTick, 'Maximum'],
      [METRIC_NAMES.schedulerHeartbeat, 'Sum'],
    ]);
    expect(own('DAG import errors (max)').map(([, name, options]) => [name, options.stat])).toEqual([[METRIC_NAMES.dagImportErrors, 'Maximum']]);
  });

  it('is one dashboard per stage', () => {
    expect(dashboardBody('quiet').widgets[0]?.properties.markdown).toContain('`quiet`');
  });
});

describe('configuration errors', () => {
  it('refuses an empty executor list, saying what to pass', () => {
    const stack = new Stack(new App(), 'Empty');
    const queue = taskQueues(stack);
    const fn = new Function(stack, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('//') });
    const functions = Object.fromEntries(FUNCTION_NAMES.map((name) => [name, fn])) as Record<FunctionName, Function>;
    const create = () =>
      new Observability(stack, 'Observability', {
        stage: 'empty',
        namespace: NAMESPACE,
        executors: [],
        functions,
        taskQueue: queue.queue,
        deadLetterQueue: queue.deadLetterQueue,
      });
    expect(create).toThrow(expect.objectContaining({ code: 'infra_config', message: expect.stringMatching(/core\.executor/) }));
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('ran on the app: they flag the bare test functions', () => {
    const paths = violations.filter((v) => v.ruleName.startsWith('AwsSolutions-IAM4')).flatMap((v) => v.violatingConstructs.map((c) => c.constructPath));
    expect(paths).toContain('ObservabilityTest/Function-worker/ServiceRole/Resource');
  });

  it('report nothing unacknowledged in the observability constructs', () => {
    const ours = violations.flatMap((v) =>
      v.violatingConstructs
        .filter((c) => /^ObservabilityTest\/(Prod|Quiet)\//.test(c.constructPath))
        .map((c) => `${v.ruleName} (${v.severity}) at ${c.constructPath}`),
    );
    expect(ours).toEqual([]);
  });
});
