import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData, type AlarmProps } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC_NAMES } from '../src/core/metric-names.ts';
import { TASK_FAILURE_RATE_MIN_TASKS, type UpdraftMetrics } from './observability-metrics.ts';

/** Above this percentage of failed task instances (over TASK_FAILURE_RATE_PERIOD) the alarm fires. */
export const TASK_FAILURE_RATE_THRESHOLD = 20;
export const TASK_FAILURE_RATE_PERIOD = Duration.minutes(15);
/** Minutes without a scheduler heartbeat before the alarm fires: one missed tick is not an outage. */
export const SCHEDULER_SILENT_MINUTES = 3;

export interface UpdraftAlarms {
  deadLetters: Alarm;
  schedulerNotTicking: Alarm;
  importErrors: Alarm;
  taskFailureRate: Alarm;
  /** Present when the stack passes the dead-letter queue of its EventBridge targets. */
  eventDeadLetters?: Alarm;
}

export interface UpdraftAlarmsProps {
  stage: string;
  metrics: UpdraftMetrics;
  deadLetterQueue: IQueue;
  /** Where EventBridge puts DAG file events the DAG processor could not take. */
  eventDeadLetterQueue?: IQueue;
  topic: ITopic;
}

/**
 * The four alarms worth waking someone for. Each notifies the topic when it fires and again when it
 * clears, so a subscriber knows when the problem is over without opening the console.
 */
export function createAlarms(scope: Construct, props: UpdraftAlarmsProps): UpdraftAlarms {
  const { stage, metrics, deadLetterQueue } = props;
  const action = new SnsAction(props.topic);
  const alarm = (id: string, alarmProps: AlarmProps): Alarm => {
    const created = new Alarm(scope, id, alarmProps);
    created.addAlarmAction(action);
    created.addOkAction(action);
    return created;
  };

  const eventDeadLetters =
    props.eventDeadLetterQueue &&
    alarm('EventDeadLettersAlarm', {
      alarmName: `updraft-${stage}-event-dead-letters`,
      alarmDescription:
        `DAG file events of stage ${stage} could not be delivered to the DAG processor after EventBridge's retries, ` +
        'so those uploads or deletions were not processed. First: read the messages in the queue (stack output ' +
        "EventDeadLetterQueueUrl) for the object keys and the DAG processor's errors; once fixed, upload the files " +
        'again (or `aws s3 cp` them onto themselves) and purge the queue.',
      metric: props.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

  return {
    ...(eventDeadLetters ? { eventDeadLetters } : {}),
    deadLetters: alarm('DeadLettersAlarm', {
      alarmName: `updraft-${stage}-dead-letters`,
      alarmDescription:
        `Task messages of stage ${stage} landed in the task dead-letter queue: a worker received them ` +
        'repeatedly without finishing, so those task instances did not run. First: read a message in the ' +
        'dead-letter queue (stack output TaskDeadLetterQueueUrl) for its task instance, then the worker ' +
        "function's errors and logs. Purge or redrive the queue once the cause is fixed; the alarm clears " +
        'when the queue is empty.',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // SQS stops reporting a queue that has been empty and idle for six hours: that is the healthy case.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    schedulerNotTicking: alarm('SchedulerNotTickingAlarm', {
      alarmName: `updraft-${stage}-scheduler-not-ticking`,
      alarmDescription:
        `The scheduler of stage ${stage} recorded no ${METRIC_NAMES.schedulerHeartbeat} for ` +
        `${SCHEDULER_SILENT_MINUTES} minutes: no new DAG runs start, and queued or timed-out tasks are not ` +
        "handled (tasks already running still finish). First: check the scheduler function's errors and " +
        'throttles on the dashboard and its logs, and that its EventBridge schedule rule is enabled.',
      metric: metrics.schedulerHeartbeat(Duration.minutes(1)),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: SCHEDULER_SILENT_MINUTES,
      datapointsToAlarm: SCHEDULER_SILENT_MINUTES,
      // A scheduler that does not run emits nothing at all, so silence is the failure this alarm is for.
      treatMissingData: TreatMissingData.BREACHING,
    }),
    importErrors: alarm('ImportErrorsAlarm', {
      alarmName: `updraft-${stage}-dag-import-errors`,
      alarmDescription:
        `At least one DAG file of stage ${stage} fails to import, so its DAGs are not updated or not ` +
        'scheduled. First: run `updraft dags list-import-errors` for the file and its error, fix the file ' +
        'and upload it again; the alarm clears about 5 minutes after the last failing file imports.',
      metric: metrics.dagImportErrors(Duration.minutes(5)),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // The gauge comes with scheduler ticks; a silent scheduler is the other alarm's business.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    taskFailureRate: alarm('TaskFailureRateAlarm', {
      alarmName: `updraft-${stage}-task-failure-rate`,
      alarmDescription:
        `More than ${TASK_FAILURE_RATE_THRESHOLD}% of the task instances of stage ${stage} that finished in ` +
        `the last ${TASK_FAILURE_RATE_PERIOD.toMinutes()} minutes failed (counted only when at least ` +
        `${TASK_FAILURE_RATE_MIN_TASKS} finished; retried tries are not failures). First: find the failed ` +
        'task instances (`updraft tasks states-for-dag-run`) and read their logs (`updraft tasks logs`); ' +
        'many DAGs failing at once points at a shared cause such as a connection, a secret or worker errors.',
      metric: metrics.taskFailureRate(TASK_FAILURE_RATE_PERIOD),
      threshold: TASK_FAILURE_RATE_THRESHOLD,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  };
}
