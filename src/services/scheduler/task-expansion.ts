import type { DagRunKey } from '../../core/model/keys.ts';
import { newTaskInstance, type TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import { lengthFactsNeeded, mapLengthFactOf, mapSourceKey, type MapLengthFact } from '../../core/scheduling/mapping.ts';
import { effectivePriorityWeight } from '../../core/scheduling/priority-weights.ts';
import type { TaskTransition } from '../../core/scheduling/task-planning.ts';
import { XComValues } from '../execution/xcom-values.ts';
import type { SchedulerDeps } from './settings.ts';

/**
 * Reads the lengths of the upstream XComs that unexpanded mapped tasks iterate over, for those whose
 * upstream has succeeded and whose length is not in `facts` yet (each is read once per pass). A read
 * that fails is logged and left out: the task waits for the next pass.
 */
export async function readLengthFacts(
  deps: Pick<SchedulerDeps, 'metastore' | 'objectStore' | 'clock' | 'logger'>,
  run: DagRunKey,
  dag: SerializedDag,
  placeholderOf: (taskId: string) => TaskInstanceRecord | undefined,
  facts: Map<string, MapLengthFact>,
): Promise<void> {
  const needed = lengthFactsNeeded(dag, placeholderOf).filter((source) => !facts.has(mapSourceKey(source)));
  if (needed.length === 0) return;
  const values = new XComValues({
    metastore: deps.metastore,
    objectStore: deps.objectStore ?? NO_OBJECT_STORE,
    clock: deps.clock,
    logger: deps.logger,
  });
  await Promise.all(
    needed.map(async (source) => {
      try {
        const value = await values.get({ ...run, taskId: source.taskId, mapIndex: -1 }, source.key);
        facts.set(mapSourceKey(source), mapLengthFactOf(value, source));
      } catch (error) {
        deps.logger.error(`Could not read the XCom a mapped task expands over: ${error instanceof Error ? error.message : String(error)}`, {
          dag_id: run.dagId,
          run_id: run.runId,
          task_id: source.taskId,
          xcom_key: source.key,
        });
      }
    }),
  );
}

/**
 * Creates a mapped task's instances 0..n-1 (those that exist already are left as they are, so a
 * repeated or concurrent expansion writes the same records), at most `limit` of them in one pass: a
 * run's instances share one DynamoDB partition, whose write rate bounds how many one request can
 * create. Only once all exist may the placeholder say the task is expanded (`complete`); a later pass
 * creates the rest. `created` are the instances that were not known before.
 */
export async function createMappedInstances(
  deps: Pick<SchedulerDeps, 'metastore'>,
  transition: TaskTransition,
  dag: SerializedDag,
  known: (mapIndex: number) => boolean,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ created: TaskInstanceRecord[]; complete: boolean }> {
  const count = transition.expandTo ?? 0;
  const weight = effectivePriorityWeight(dag, transition.task.taskId);
  const created: TaskInstanceRecord[] = [];
  let complete = true;
  for (let mapIndex = 0; mapIndex < count; mapIndex += 1) {
    if (known(mapIndex)) continue;
    if (created.length >= limit) {
      complete = false;
      break;
    }
    created.push({ ...newTaskInstance(transition.ti, transition.task, weight), mapIndex });
  }
  if (created.length > 0) await deps.metastore.createTaskInstances(created);
  return { created, complete };
}

const NO_OBJECT_STORE = {
  async getText(): Promise<string | null> {
    throw new Error('this process has no object store configured, so it cannot read an XCom kept in S3; give the scheduler UPDRAFT_BUCKET');
  },
} as unknown as NonNullable<SchedulerDeps['objectStore']>;
