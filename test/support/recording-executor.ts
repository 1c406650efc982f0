import { BaseExecutor } from '../../src/core/executors/base-executor.ts';
import type { ExecuteTaskWorkload } from '../../src/core/model/workload.ts';
import type { ExecutorCapabilities, ExecutorEventState } from '../../src/core/ports/executor.ts';
import type { TaskAttemptKey } from '../../src/core/model/keys.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { Metrics } from '../../src/core/ports/metrics.ts';

/** An executor (on the real base) that records what it was handed, and can be told to refuse. */
export class RecordingExecutor extends BaseExecutor {
  readonly capabilities: ExecutorCapabilities = {
    isLocal: true,
    isProduction: false,
    supportsCallbacks: false,
    servesLogs: false,
    supportsDelayedStart: false,
  };
  readonly workloads: ExecuteTaskWorkload[] = [];
  failing = false;

  constructor(name = 'lambda', parallelism?: number, metrics?: Metrics, clock?: Clock) {
    super({ name, parallelism, metrics, clock });
  }

  protected async executeAsync(workload: ExecuteTaskWorkload): Promise<{ externalId: string | null }> {
    if (this.failing) throw new Error('queue unavailable');
    this.workloads.push(workload);
    return { externalId: `msg-${this.workloads.length}` };
  }

  /** Which attempts were sent, as `taskId#try`. */
  sent(): string[] {
    return this.workloads.map((w) => `${w.ti.taskId}#${w.ti.tryNumber}`);
  }

  /** What the environment would report: the attempt ended as `state`. */
  report(attempt: TaskAttemptKey, state: ExecutorEventState, reason: string): void {
    this.changeState(attempt, state, reason);
  }
}
