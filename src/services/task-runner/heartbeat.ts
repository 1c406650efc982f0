import type { TaskInstanceKey } from '../../core/model/keys.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { ExecutionConflictError, type ExecutionApiClient } from '../../http/execution-api-client.ts';

/** Used when the start answer carries no usable interval. */
const DEFAULT_HEARTBEAT_SECONDS = 30;

export interface HeartbeatOptions {
  client: Pick<ExecutionApiClient, 'heartbeat'>;
  ti: TaskInstanceKey;
  workerId: string;
  intervalSeconds: number;
  logger: Logger;
  /** Called once when the API says the attempt is no longer ours (cleared, timed out, taken over). */
  onLost: (error: ExecutionConflictError) => void;
}

/**
 * Tells the API the attempt is alive, so the scheduler does not fail it as a zombie. A heartbeat that
 * cannot get through is only logged (the next may); a 409 means the attempt must stop.
 */
export function startHeartbeat(options: HeartbeatOptions): { stop: () => void } {
  const seconds =
    Number.isFinite(options.intervalSeconds) && options.intervalSeconds > 0 ? options.intervalSeconds : DEFAULT_HEARTBEAT_SECONDS;
  let inFlight = false;
  let stopped = false;
  const beat = async () => {
    if (inFlight || stopped) return;
    inFlight = true;
    try {
      await options.client.heartbeat(options.ti, { workerId: options.workerId });
    } catch (error) {
      if (stopped) return;
      if (error instanceof ExecutionConflictError) {
        stopped = true;
        clearInterval(timer);
        options.onLost(error);
        return;
      }
      options.logger.warn('Heartbeat failed; the next one will try again', { error: (error as Error).message });
    } finally {
      inFlight = false;
    }
  };
  const timer = setInterval(() => void beat(), seconds * 1000);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
