import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import type { ComponentStatus, HealthInfo } from './response-schemas.ts';

/**
 * How old the latest scheduler heartbeat may be for the scheduler to count as healthy. Airflow's
 * `scheduler_health_check_threshold` is 30 s against a 5 s scheduler loop; Updraft's scheduler ticks
 * every 60 s in AWS, so three missed ticks make it unhealthy.
 */
export const DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS = 180;

export interface HealthThresholds {
  /** Seconds; Airflow's `[scheduler] scheduler_health_check_threshold`. */
  schedulerSeconds: number;
}

/**
 * Airflow's `Job.is_alive()`: alive while the heartbeat is strictly younger than the threshold. No
 * heartbeat at all is unhealthy, not unknown: Airflow 3 starts the scheduler's status at "unhealthy" and
 * only a live job raises it (null is for components that may legitimately not run, like the triggerer).
 */
export function schedulerStatus(latestHeartbeat: Date | null, now: Date, thresholdSeconds: number): ComponentStatus {
  if (latestHeartbeat === null) return 'unhealthy';
  return now.getTime() - latestHeartbeat.getTime() < thresholdSeconds * 1000 ? 'healthy' : 'unhealthy';
}

/**
 * The health report, as Airflow's `get_airflow_health` builds it: the metadatabase is healthy when the
 * heartbeat query succeeds; when it fails, both it and the scheduler are unhealthy. It never throws, so
 * the endpoint answers 200 even with the metastore down.
 */
export async function checkHealth(deps: {
  metastore: Pick<Metastore, 'getLatestSchedulerHeartbeat'>;
  clock: Clock;
  logger: Logger;
  thresholds: HealthThresholds;
}): Promise<HealthInfo> {
  let metadatabase: ComponentStatus = 'healthy';
  let scheduler: ComponentStatus = 'unhealthy';
  let latestSchedulerHeartbeat: string | null = null;
  try {
    const latest = await deps.metastore.getLatestSchedulerHeartbeat();
    scheduler = schedulerStatus(latest?.at ?? null, deps.clock.now(), deps.thresholds.schedulerSeconds);
    latestSchedulerHeartbeat = latest ? latest.at.toISOString() : null;
  } catch (error) {
    metadatabase = 'unhealthy';
    // The answer says only "unhealthy"; the reason belongs in the log, where operators look.
    deps.logger.error('Health check could not read the metastore', {
      error: error instanceof Error ? error.message : String(error),
      errorName: error instanceof Error ? error.name : undefined,
    });
  }
  return {
    metadatabase: { status: metadatabase },
    scheduler: { status: scheduler, latest_scheduler_heartbeat: latestSchedulerHeartbeat },
    triggerer: { status: null, latest_triggerer_heartbeat: null },
    dag_processor: { status: null, latest_dag_processor_heartbeat: null },
  };
}
