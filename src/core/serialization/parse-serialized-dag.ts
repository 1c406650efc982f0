import { ValidationError } from '../errors.ts';
import type { SerializedDag } from '../model/serialized-dag.ts';
import { checkMapping } from './check-mapping.ts';
import { serializedDagSchema } from './serialized-dag-schema.ts';

/**
 * Validates a serialized DAG read from storage or produced by the DAG processor: the shape (unknown
 * fields refused) and the graph (unique task ids, upstream ids that exist, tasks in topological order,
 * sorted upstream ids, XCom arguments only from upstream tasks, consistent dynamic task mapping). Throws ValidationError naming the
 * first bad field as a dotted path, e.g. `tasks.2.triggerRule`.
 */
export function parseSerializedDag(json: unknown): SerializedDag {
  const result = serializedDagSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || null;
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new ValidationError(
      `Invalid serialized DAG: ${field ?? 'the document'}: ${issue.message}${more}. Re-parse the DAG file with this version of Updraft.`,
      field,
    );
  }
  const dag = result.data;
  checkGraph(dag);
  return dag;
}

function checkGraph(dag: SerializedDag): void {
  const fail = (field: string, problem: string): never => {
    throw new ValidationError(`Invalid serialized DAG "${dag.dagId}": ${field}: ${problem}.`, field);
  };
  const seen = new Set<string>();
  dag.tasks.forEach((task, index) => {
    const at = `tasks.${index}`;
    if (seen.has(task.taskId)) fail(`${at}.taskId`, `duplicate task id "${task.taskId}"`);
    task.upstreamTaskIds.forEach((upstream, position) => {
      if (!seen.has(upstream)) {
        fail(
          `${at}.upstreamTaskIds.${position}`,
          `upstream "${upstream}" of task "${task.taskId}" is not a task listed before it (tasks must be in topological order)`,
        );
      }
      if (position > 0 && task.upstreamTaskIds[position - 1]! >= upstream) {
        fail(`${at}.upstreamTaskIds`, `upstream ids of task "${task.taskId}" must be sorted and unique`);
      }
    });
    task.args.forEach((arg, position) => {
      if (arg.kind === 'xcom' && !task.upstreamTaskIds.includes(arg.taskId)) {
        fail(`${at}.args.${position}.taskId`, `task "${task.taskId}" reads an XCom of "${arg.taskId}", which is not one of its upstream tasks`);
      }
    });
    seen.add(task.taskId);
  });
  checkMapping(dag, fail);
}
