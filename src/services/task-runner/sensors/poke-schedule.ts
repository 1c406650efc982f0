import { createHash } from 'node:crypto';
import type { SensorSettings } from '../../../sdk/index.ts';

/**
 * When a sensor pokes next and when it has waited too long: Airflow's BaseSensorOperator arithmetic,
 * as pure functions of the settings, the first poke's date and the time now.
 */

export interface PokeClock {
  dagId: string;
  taskId: string;
  /** The first poke of this try (across reschedules). */
  startedAt: Date;
  /** Seconds since `startedAt`. */
  elapsedSeconds: number;
  /** 1 for the first poke of this process. */
  pokeCount: number;
}

/** Whether the sensor has waited longer than its timeout (Airflow: strictly longer). */
export function sensorTimedOut(settings: Pick<SensorSettings, 'timeoutSeconds'>, elapsedSeconds: number): boolean {
  return elapsedSeconds > settings.timeoutSeconds;
}

/**
 * Seconds until the next poke (Airflow's `_get_next_poke_interval`). Without backoff: the poke interval.
 * With it: `pokeInterval * 2^(n-2)` (at least 1 s) plus a jitter of up to the same amount derived from a
 * hash of the task and its start, so sensors started together do not poke in step; never past the
 * timeout, and at most `maxWait`. In reschedule mode each try is a fresh process, so the poke count is
 * estimated from the time elapsed, as Airflow does.
 */
export function nextPokeIntervalSeconds(settings: SensorSettings, clock: PokeClock): number {
  if (!settings.exponentialBackoff) return settings.pokeIntervalSeconds;
  const started = clock.startedAt.toISOString();
  let pokeCount = clock.pokeCount;
  if (settings.mode === 'reschedule') {
    let cumulative = 0;
    let estimated = 0;
    while (cumulative <= clock.elapsedSeconds) {
      estimated += 1;
      cumulative += jitteredBackoff(settings.pokeIntervalSeconds, clock, started, estimated);
    }
    pokeCount = estimated || pokeCount;
  }
  let interval = Math.min(settings.timeoutSeconds - Math.trunc(clock.elapsedSeconds), jitteredBackoff(settings.pokeIntervalSeconds, clock, started, pokeCount));
  if (settings.maxWaitSeconds) interval = Math.min(settings.maxWaitSeconds, interval);
  return Math.max(0, interval);
}

function jitteredBackoff(pokeInterval: number, clock: Pick<PokeClock, 'dagId' | 'taskId'>, started: string, pokeCount: number): number {
  const minBackoff = Math.max(Math.trunc(pokeInterval * 2 ** (pokeCount - 2)), 1);
  // 13 hex digits stay inside a double's exact integers; the jitter only needs to be spread, not Python's.
  const hash = Number.parseInt(createHash('sha1').update(`${clock.dagId}#${clock.taskId}#${started}#${pokeCount}`).digest('hex').slice(0, 13), 16);
  return minBackoff + (hash % minBackoff);
}
