import { DagDefinitionError } from './errors.ts';
import { describe } from './task-options.ts';
import { isTaskGroupRef, isTaskRef, type DependencyNode, type TaskRef, type TaskRefOrList } from './task-ref.ts';

/**
 * Sets dependencies in a row, with Airflow's `chain` semantics: each element runs before the next.
 * A task next to a list fans out to (or in from) every task of the list; two adjacent lists must have
 * the same length and are joined pairwise (`[a, b], [c, d]` means a → c and b → d).
 *
 * @example
 * ```ts
 * import { chain, dag, empty } from 'updraft/sdk';
 *
 * export default dag({ dagId: 'pipeline' }, () => {
 *   const start = empty({ taskId: 'start' });
 *   const end = empty({ taskId: 'end' });
 *   // start → extract_a → load_a → end and start → extract_b → load_b → end
 *   chain(start, [extractA(), extractB()], [loadA(), loadB()], end);
 * });
 * ```
 */
export function chain(...tasks: TaskRefOrList[]): void {
  tasks.forEach((element, index) => {
    const items: readonly unknown[] = Array.isArray(element) ? element : [element];
    for (const item of items) {
      if (!isTaskRef(item) && !isTaskGroupRef(item)) {
        throw new DagDefinitionError(
          `chain(): element ${index + 1} must be a task reference, a task group or a list of them (what a TaskFlow call, bash(), empty() or taskGroup() returns), got ${describe(item)}.`,
        );
      }
    }
  });
  for (let index = 0; index + 1 < tasks.length; index += 1) {
    const up = tasks[index]!;
    const down = tasks[index + 1]!;
    if (!Array.isArray(up)) {
      (up as DependencyNode).setDownstream(down);
    } else if (!Array.isArray(down)) {
      (down as DependencyNode).setUpstream(up);
    } else {
      const ups = up as readonly DependencyNode[];
      const downs = down as readonly DependencyNode[];
      if (ups.length !== downs.length) {
        throw new DagDefinitionError(
          `chain(): adjacent lists must have the same length to be joined pairwise, got ${ups.length} (${ids(ups)}) and ${downs.length} (${ids(downs)}). To join every task with every task, put a single task (e.g. empty()) between the lists.`,
        );
      }
      ups.forEach((upTask, position) => upTask.setDownstream(downs[position]!));
    }
  }
}

function ids(refs: readonly DependencyNode[]): string {
  return refs.map((ref) => (isTaskRef(ref) ? (ref as TaskRef).taskId : ref.groupId)).join(', ');
}
