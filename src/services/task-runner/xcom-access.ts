import type { TaskInstanceKey } from '../../core/model/keys.ts';
import type { ExecutionApiClient } from '../../http/execution-api-client.ts';
import type { Dag, TaskDefinition } from '../../sdk/index.ts';
import { checkMappedPush, type MappedOverKeys } from './mapped-return-check.ts';

export const RETURN_VALUE_KEY = 'return_value';

export interface XComAccessOptions {
  /** This task's keys that another task maps over: a push under one must be a list. */
  mappedOver?: MappedOverKeys;
  /** Tasks of this instance's mapped task group: pulls address their instance at this map index. */
  sameMappedGroup?: ReadonlySet<string>;
}

/**
 * XCom reads and writes of one attempt. The start answer already carries the upstream return values, so
 * most pulls cost no request; others go to the API once and are remembered. Values of other tasks cannot
 * change while this attempt runs (they finished before it started), but this task's own XComs can, so
 * those are never cached.
 */
export class XComAccess {
  private readonly known = new Map<string, unknown>();

  constructor(
    private readonly client: Pick<ExecutionApiClient, 'getXCom' | 'setXCom'>,
    private readonly self: TaskInstanceKey,
    upstreamXComs: Record<string, unknown>,
    private readonly options: XComAccessOptions = {},
  ) {
    for (const [taskId, value] of Object.entries(upstreamXComs)) this.known.set(cacheKey(taskId, RETURN_VALUE_KEY), value);
  }

  /** The value, or null when the task has no such XCom (as Airflow's xcom_pull returns None). */
  async pull(taskId: string, key: string = RETURN_VALUE_KEY): Promise<unknown> {
    const found = await this.find(taskId, key);
    return found.found ? found.value : null;
  }

  async find(taskId: string, key: string = RETURN_VALUE_KEY): Promise<{ found: true; value: unknown } | { found: false }> {
    const known = this.peek(taskId, key);
    if (known.known) return { found: true, value: known.value };
    const answer = await this.client.getXCom(this.keyOf(taskId), key);
    if (!answer) return { found: false };
    if (taskId !== this.self.taskId) this.known.set(cacheKey(taskId, key), answer.value);
    return { found: true, value: answer.value };
  }

  /** Whether the value is at hand without a request (templates render synchronously). */
  peek(taskId: string, key: string = RETURN_VALUE_KEY): { known: true; value: unknown } | { known: false } {
    const id = cacheKey(taskId, key);
    return this.known.has(id) ? { known: true, value: this.known.get(id) } : { known: false };
  }

  /** Fetches what is not at hand yet; a missing XCom is remembered as null so templates render it. */
  async prefetch(refs: ReadonlyArray<{ taskId: string; key: string }>): Promise<void> {
    await Promise.all(
      refs.map(async ({ taskId, key }) => {
        if (this.peek(taskId, key).known) return;
        const answer = await this.client.getXCom(this.keyOf(taskId), key);
        this.known.set(cacheKey(taskId, key), answer ? answer.value : null);
      }),
    );
  }

  async push(key: string, value: unknown): Promise<void> {
    if (this.options.mappedOver) checkMappedPush(this.self.taskId, this.options.mappedOver, key, value);
    await this.client.setXCom(this.self, key, value);
  }

  private keyOf(taskId: string): TaskInstanceKey {
    // Pulls address the unmapped instance of the other task (the API answers a mapped task's list for
    // it), except within a mapped task group, where they address the same map index, as Airflow does.
    const sameIndex = taskId === this.self.taskId || this.options.sameMappedGroup?.has(taskId) === true;
    return { dagId: this.self.dagId, runId: this.self.runId, taskId, mapIndex: sameIndex ? this.self.mapIndex : -1 };
  }
}

/** The other tasks of `task`'s mapped task group (empty when it is in none). */
export function sameMappedGroupTaskIds(dag: Pick<Dag, 'tasks'> | undefined, task: Pick<TaskDefinition, 'taskId' | 'mappedGroupId'>): Set<string> {
  const ids = new Set<string>();
  if (!dag || task.mappedGroupId === undefined) return ids;
  for (const other of dag.tasks.values()) {
    if (other.taskId !== task.taskId && other.mappedGroupId === task.mappedGroupId) ids.add(other.taskId);
  }
  return ids;
}

function cacheKey(taskId: string, key: string): string {
  return `${taskId}\u0000${key}`;
}
