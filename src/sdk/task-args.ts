import type { DagBuilder } from './dag-builder.ts';
import { DagDefinitionError } from './errors.ts';
import { jsonProblem } from './json-check.ts';
import { isMapItem, mapItemOwner } from './map-item.ts';
import type { TaskArg } from './task-definition.ts';
import { isTaskRef, isXComArg, ownerOf } from './task-ref.ts';

/**
 * One argument of a TaskFlow call (or of `pythonTask` args) as the definition stores it: an upstream
 * output becomes an XCom argument, the item of the enclosing mapped task group a `map_item`, anything
 * else a JSON literal. `label` names the argument in messages (`argument 2`, `args[1]`).
 */
export function toTaskArg(builder: DagBuilder, where: string, value: unknown, label: string): TaskArg {
  if (isTaskRef(value) || isXComArg(value)) {
    if (ownerOf(value) !== builder) {
      throw new DagDefinitionError(
        `${where}: ${label} is the output of task "${value.taskId}" from another DAG; a task can only use outputs of its own DAG.`,
      );
    }
    return { kind: 'xcom', taskId: value.taskId, key: isXComArg(value) ? value.key : 'return_value' };
  }
  if (isMapItem(value)) {
    if (mapItemOwner(value) !== builder) {
      throw new DagDefinitionError(
        `${where}: ${label} is the item of mapped task group "${value.groupId}" of another DAG; use an item only inside its own group.`,
      );
    }
    if (!builder.shapes.isOpen(value.groupId)) {
      throw new DagDefinitionError(
        `${where}: ${label} is the item of mapped task group "${value.groupId}", but the task is not inside that group; use the item only in tasks that the group's build function adds.`,
      );
    }
    return { kind: 'map_item', groupId: value.groupId };
  }
  const problem = jsonProblem(value, label);
  if (problem) throw new DagDefinitionError(`${where}: ${problem}. Literal arguments are stored as JSON.`);
  // Keep exactly what the serialized DAG will hold, so later mutation in the build cannot diverge.
  return { kind: 'literal', value: JSON.parse(JSON.stringify(value)) as unknown };
}
