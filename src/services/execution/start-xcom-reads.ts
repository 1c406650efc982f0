import type { DagRunKey } from '../../core/model/keys.ts';
import type { TaskInstanceStore } from '../../core/ports/metastore.ts';
import type { XComValues } from './xcom-values.ts';

/**
 * The XCom reads of one start answer. Its mapped inputs and its upstream XComs often name the same
 * values (a mapped task's upstream list is both its map source and an upstream), so each is read once.
 */
export class StartXComReads {
  private readonly values = new Map<string, Promise<unknown>>();
  private readonly lists = new Map<string, Promise<unknown[]>>();
  private readonly counts = new Map<string, Promise<number>>();

  constructor(
    private readonly run: DagRunKey,
    private readonly xcoms: Pick<XComValues, 'get' | 'getMapped'>,
    private readonly taskInstances: Pick<TaskInstanceStore, 'listTaskInstances'>,
  ) {}

  /** One task instance's XCom; `undefined` when it pushed none. */
  value(taskId: string, mapIndex: number, key: string): Promise<unknown> {
    return once(this.values, `${taskId}\u0000${mapIndex}\u0000${key}`, () =>
      this.xcoms.get({ dagId: this.run.dagId, runId: this.run.runId, taskId, mapIndex }, key),
    );
  }

  /** A mapped task's values under `key`, by map index (instances that pushed nothing left out). */
  mapped(taskId: string, key: string): Promise<unknown[]> {
    return once(this.lists, `${taskId}\u0000${key}`, () => this.xcoms.getMapped(this.run, taskId, key));
  }

  /**
   * How many instances a mapped task has: its expanded instances, whether they pushed anything or not.
   * It lists the run's task instances, so only a cross product over a mapped upstream asks for it.
   */
  instanceCount(taskId: string): Promise<number> {
    return once(this.counts, taskId, async () => {
      const instances = await this.taskInstances.listTaskInstances(this.run);
      return instances.filter((ti) => ti.taskId === taskId && ti.mapIndex >= 0 && ti.state !== 'removed').length;
    });
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = read();
    cache.set(key, pending);
  }
  return pending;
}
