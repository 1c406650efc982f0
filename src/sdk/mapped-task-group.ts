import type { DagBuilder } from './dag-builder.ts';
import { DagDefinitionError } from './errors.ts';
import { toMapSource } from './mapping.ts';
import type { MapSource } from './mapping-types.ts';

/** The list a mapped task group maps over (`taskGroup.expand(options, over, build)`), validated. */
export function mappedGroupSource(builder: DagBuilder, where: string, over: unknown): MapSource {
  if (over === undefined) {
    throw new DagDefinitionError(
      `${where}: taskGroup.expand(options, over, build) needs the list to map over as its second argument: pass an array, or the output of a task that returns one.`,
    );
  }
  return toMapSource(builder, where, over, 'the mapped list');
}

/**
 * After the group's build function ran: a mapped group must hold tasks, and the task whose output it
 * maps over becomes upstream of the group's roots (its list decides how many instances each task has).
 */
export function wireMappedGroup(builder: DagBuilder, where: string, groupId: string, source: MapSource): void {
  if (builder.shapes.members(groupId, builder.tasks.keys()).length === 0) {
    throw new DagDefinitionError(`${where}: the mapped task group has no tasks; add the tasks each element runs inside its build function.`);
  }
  if (source.kind !== 'xcom') return;
  for (const root of builder.groupEnds(groupId, 'downstream')) builder.addEdge(source.taskId, root);
}
