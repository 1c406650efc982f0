import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { ImportFailure } from './import-failure.ts';

/**
 * A task (or a DAG's defaultArgs) that names an executor the deployment does not configure would queue
 * nowhere: Airflow refuses such a DAG at import, and so does Updraft, naming the fix.
 */
export function unconfiguredExecutorFailure(dags: readonly SerializedDag[], configured: readonly string[]): ImportFailure | null {
  for (const dag of dags) {
    for (const task of dag.tasks) {
      if (task.executor === null || configured.includes(task.executor)) continue;
      return {
        message:
          `Task "${task.taskId}" of DAG "${dag.dagId}" names executor "${task.executor}", which is not configured; ` +
          `configured executors are: ${configured.join(', ')}. Add it to core.executor (UPDRAFT__CORE__EXECUTOR or ` +
          'updraft.cfg), or change the task\'s (or the DAG\'s defaultArgs\') executor.',
        line: null,
      };
    }
  }
  return null;
}
