import { isDag, type Dag, type TaskDefinition } from '../../sdk/index.ts';
import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { TaskNotFoundError } from './errors.ts';

/** The task definition in a bundle's exports (default and named), as the DAG processor discovered them. */
export function findTask(bundle: Record<string, unknown>, ti: TaskAttemptKey): TaskDefinition {
  return findDagTask(bundle, ti).task;
}

/** The task definition and the DAG holding it (branching operators look at the task's downstream tasks). */
export function findDagTask(bundle: Record<string, unknown>, ti: TaskAttemptKey): { dag: Dag; task: TaskDefinition } {
  const dags = new Set<Dag>();
  for (const value of Object.values(bundle)) if (isDag(value)) dags.add(value);
  const dag = [...dags].find((candidate) => candidate.dagId === ti.dagId);
  if (!dag) {
    const found = [...dags].map((d) => `"${d.dagId}"`).join(', ') || 'none';
    throw new TaskNotFoundError(
      `The DAG bundle of this run does not export DAG "${ti.dagId}" (it exports: ${found}). ` +
        'The DAG file must export the DAG (default or named export); fix the file and trigger a new run.',
    );
  }
  const task = dag.tasks.get(ti.taskId);
  if (!task) {
    throw new TaskNotFoundError(
      `DAG "${ti.dagId}" in this run's version has no task "${ti.taskId}" (it has: ${[...dag.tasks.keys()].join(', ')}). ` +
        'The task may have been renamed; clear the run so it uses the tasks of its version.',
    );
  }
  return { dag, task };
}
