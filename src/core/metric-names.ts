/**
 * The CloudWatch metrics Updraft emits, named once: the services emit them through the Metrics port and
 * the CDK stack's dashboard and alarms read them, so a renamed metric cannot leave a graph empty.
 * Names follow Airflow's where Airflow has one (`scheduler_heartbeat`, `ti_successes`, `ti_failures`,
 * `dag_processing.import_errors`); every metric lives in the `[metrics] namespace` of the deployment.
 */
export const METRIC_NAMES = {
  /** Gauge per executor (dimension `executor`): slots free for new attempts. */
  executorOpenSlots: 'executor.open_slots',
  /** Gauge per executor: attempts handed to the executor and not yet confirmed running. */
  executorQueuedSlots: 'executor.queued_slots',
  /** Gauge per executor: attempts the executor knows to be running. */
  executorRunningTasks: 'executor.running_tasks',
  /** Count, one per scheduler tick: no data points for a few minutes means the scheduler is not ticking. */
  schedulerHeartbeat: 'scheduler_heartbeat',
  /** Timing (ms) of one scheduler tick. */
  schedulerTickDuration: 'scheduler.tick_duration',
  /** Gauge (s): how long before this tick the previous tick (of any scheduler) recorded its heartbeat. */
  schedulerSecondsSinceLastTick: 'scheduler.seconds_since_last_tick',
  /** Gauge, each tick: DAG files that currently fail to import. */
  dagImportErrors: 'dag_processing.import_errors',
  /** Count: task instances that ended in `success`. */
  taskSuccesses: 'ti_successes',
  /** Count: task instances that ended in `failed` (a try that will be retried is not counted). */
  taskFailures: 'ti_failures',
} as const;

/** The one dimension of the executor gauges. */
export const EXECUTOR_DIMENSION = 'executor';
