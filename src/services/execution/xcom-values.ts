import { UpdraftError } from '../../core/errors.ts';
import type { DagRunKey, TaskInstanceKey } from '../../core/model/keys.ts';
import type { XComRecord } from '../../core/model/records.ts';
import { formatTaskInstanceKey } from '../../core/model/keys.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { XComStore } from '../../core/ports/metastore.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';

/** Values whose JSON is larger than this go to the object store; the metastore item keeps a pointer. */
export const XCOM_INLINE_LIMIT_BYTES = 64 * 1024;

export const RETURN_VALUE_KEY = 'return_value';

const OBJECT_READS_IN_FLIGHT = 16;

/** `xcom/<dagId>/<runId>/<taskId>/<mapIndex>/<key>.json`. */
export function xcomObjectKey(ti: TaskInstanceKey, key: string): string {
  return `xcom/${ti.dagId}/${ti.runId}/${ti.taskId}/${ti.mapIndex}/${key}.json`;
}

export class XComValueError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('xcom_value', message, options);
  }
}

/**
 * XCom values as tasks see them: any JSON, wherever it is stored. Small values live in the metastore;
 * large ones in the object store, so no value is limited by DynamoDB's item size.
 */
export class XComValues {
  constructor(
    private readonly deps: { metastore: XComStore; objectStore: ObjectStore; clock: Clock; logger: Logger },
  ) {}

  async put(ti: TaskInstanceKey, key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new XComValueError(`The XCom "${key}" of ${formatTaskInstanceKey(ti)} has no JSON value; push null instead.`);
    }
    const timestamp = this.deps.clock.now();
    if (Buffer.byteLength(json, 'utf8') > XCOM_INLINE_LIMIT_BYTES) {
      const objectKey = xcomObjectKey(ti, key);
      // The object first: a record must never point at an object that was not written.
      await this.deps.objectStore.put(objectKey, json, 'application/json');
      await this.deps.metastore.putXCom({ ...pick(ti), key, value: null, objectKey, timestamp });
      return;
    }
    await this.deps.metastore.putXCom({ ...pick(ti), key, value, objectKey: null, timestamp });
  }

  /** `undefined` when there is no such XCom (a stored JSON `null` is returned as `null`). */
  async get(ti: TaskInstanceKey, key: string): Promise<unknown> {
    const record = await this.deps.metastore.getXCom(pick(ti), key);
    return record ? this.valueOf(record) : undefined;
  }

  /**
   * The values a mapped task's instances pushed under `key`, in map-index order (Airflow's lazy XCom
   * sequence): instances that pushed nothing are left out.
   */
  async getMapped(run: DagRunKey, taskId: string, key: string): Promise<unknown[]> {
    const records = await this.deps.metastore.listTaskXComs({ dagId: run.dagId, runId: run.runId }, taskId, key);
    const values: unknown[] = new Array(records.length);
    // Offloaded values are read a few at a time: a wide map must not open thousands of requests at once.
    for (let start = 0; start < records.length; start += OBJECT_READS_IN_FLIGHT) {
      const batch = records.slice(start, start + OBJECT_READS_IN_FLIGHT);
      const read = await Promise.all(batch.map((record) => this.valueOf(record)));
      read.forEach((value, offset) => (values[start + offset] = value));
    }
    return values.filter((value) => value !== undefined);
  }

  private async valueOf(record: XComRecord): Promise<unknown> {
    if (record.objectKey === null) return record.value;
    const json = await this.deps.objectStore.getText(record.objectKey);
    if (json === null) {
      this.deps.logger.warn('XCom object is missing from the object store', {
        ...logKeys(record),
        xcom_key: record.key,
        object_key: record.objectKey,
      });
      return undefined;
    }
    try {
      return JSON.parse(json) as unknown;
    } catch (error) {
      throw new XComValueError(
        `The stored XCom "${record.key}" of ${formatTaskInstanceKey(record)} at "${record.objectKey}" is not valid JSON; push it again.`,
        { cause: error },
      );
    }
  }

  /** Removes every XCom of the task instance, including values in the object store. */
  async clear(ti: TaskInstanceKey): Promise<void> {
    const records = await this.deps.metastore.listXComs(pick(ti));
    if (records.length === 0) return;
    await this.deps.metastore.deleteXComs(pick(ti));
    await Promise.all(
      records.filter((record) => record.objectKey !== null).map((record) => this.deps.objectStore.delete(record.objectKey as string)),
    );
  }
}

function pick(ti: TaskInstanceKey): TaskInstanceKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
}

function logKeys(ti: TaskInstanceKey): Record<string, unknown> {
  return { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex };
}
