import { DagDefinitionError } from './errors.ts';
import { describe } from './task-options.ts';
import { isTaskRef, type TaskRef, type TaskRefOrList } from './task-ref.ts';

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
      if (!isTaskRef(item)) {
        throw new DagDefinitionError(
          `chain(): element ${index + 1} must be a task reference or a list of them (what a TaskFlow call, bash() or empty() returns), got ${describe(item)}.`,
        );
      }
    }
  });
  for (let index = 0; index + 1 < tasks.length; index += 1) {
    const up = tasks[index]!;
    const down = tasks[index + 1]!;
    if (!Array.isArray(up)) {
      (up as TaskRef).setDownstream(down);
    } else if (!Array.isArray(down)) {
      (down as TaskRef).setUpstream(up);
    } else {
      const ups = up as readonly TaskRef[];
      const downs = down as readonly TaskRef[];
      if (ups.length !== downs.length) {
        throw new DagDefinitionError(
          `chain(): adjacent lists must have the same length to be joined pairwise, got ${ups.length} (${ids(ups)}) and ${downs.length} (${ids(downs)}). To join every task with every task, put a single task (e.g. empty()) between the lists.`,
        );
      }
      ups.forEach((upTask, position) => upTask.setDownstream(downs[position]!));
    }
  }
}

function ids(refs: readonly TaskRef[]): string {
  return refs.map((ref) => ref.taskId).join(', ');
}
