import type { ExecuteTaskWorkload } from '../model/workload.ts';

/**
 * Where a task attempt runs. Issue #4 grows this into Airflow's full BaseExecutor contract; for now an
 * executor only has to accept a workload durably (once this resolves, the attempt will be delivered at
 * least once).
 */
export interface Executor {
  readonly name: string;
  /**
   * `externalId` is an id the executor can later use to find, stop or adopt the attempt (an ECS task
   * ARN); the scheduler records it. Null when there is none worth a write.
   */
  queueWorkload(workload: ExecuteTaskWorkload, options?: { delaySeconds?: number }): Promise<{ externalId: string | null }>;
}

/** The configured executors; the first is the default, as Airflow's `core.executor` list. */
export class ExecutorRegistry {
  private readonly byName = new Map<string, Executor>();

  constructor(executors: Executor[]) {
    if (executors.length === 0) throw new Error('At least one executor must be configured.');
    for (const executor of executors) this.byName.set(executor.name, executor);
  }

  get defaultName(): string {
    return this.byName.keys().next().value as string;
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The executor a task names, or the default when it names none. */
  resolve(name: string | null): Executor {
    const executor = this.byName.get(name ?? this.defaultName);
    if (!executor) {
      throw new Error(`Executor "${name}" is not configured; configured executors are: ${this.names.join(', ')}.`);
    }
    return executor;
  }
}
