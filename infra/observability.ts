import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../src/core/deployment/function-names.ts';
import { InfraConfigError } from './errors.ts';
import { createAlarms, type UpdraftAlarms } from './observability-alarms.ts';
import { createDashboard } from './observability-dashboard.ts';
import { UpdraftMetrics } from './observability-metrics.ts';

export interface ObservabilityProps {
  stage: string;
  /** CloudWatch namespace of Updraft's metrics (the functions get it as UPDRAFT__METRICS__NAMESPACE). */
  namespace: string;
  /** Executor aliases (core.executor), for the per-executor slot graphs. */
  executors: readonly string[];
  functions: Readonly<Record<FunctionName, IFunction>>;
  taskQueue: IQueue;
  deadLetterQueue: IQueue;
  /** The dead-letter queue of the EventBridge targets (DAG file events), alarmed like the task one. */
  eventDeadLetterQueue?: IQueue;
  /** Subscribed to the alarm topic when set. */
  alarmEmail?: string;
}

/**
 * What an operator watches: the dashboard `updraft-<stage>`, four alarms, and the topic
 * `updraft-<stage>-alarms` every alarm notifies when it fires and when it clears.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;
  readonly alarms: UpdraftAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    if (props.executors.length === 0) {
      throw new InfraConfigError('Observability needs at least one executor alias for its slot graphs; pass the configured core.executor aliases.');
    }
    const metrics = new UpdraftMetrics(props.namespace);

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      topicName: `updraft-${props.stage}-alarms`,
      displayName: `Updraft ${props.stage} alarms`,
      enforceSSL: true,
      // No SSE on purpose: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS
      // key, a customer managed KMS key costs money while idle, and alarm notifications carry no task data.
      // (cdk-nag 3's AwsSolutions pack has no SNS encryption rule, so there is nothing to acknowledge.)
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    this.alarms = createAlarms(this, {
      stage: props.stage,
      metrics,
      deadLetterQueue: props.deadLetterQueue,
      eventDeadLetterQueue: props.eventDeadLetterQueue,
      topic: this.alarmTopic,
    });
    this.dashboard = createDashboard(this, 'Dashboard', { ...props, metrics });
  }
}
