import type { DagBuilder } from './dag-builder.ts';
import { DagDefinitionError } from './errors.ts';
import { jsonProblem } from './json-check.ts';
import { isMapItem } from './map-item.ts';
import type { MapSource } from './mapping-types.ts';
import { describe } from './task-options.ts';
import { isTaskRef, isXComArg, ownerOf, type TaskRef, type XComArg } from './task-ref.ts';

/**
 * What `expand()` maps over: a list written in the DAG file (stored as JSON), or the output of a task
 * of the same DAG that returns a list (its return value, or `ref.output<T[]>('key')`). Mapping over a
 * mapped task's output gives one instance per instance of that task.
 *
 * @example
 * ```ts
 * const literal: MapArg<string> = ['a.csv', 'b.csv'];
 * const upstream: MapArg<string> = listFiles(); // a TaskRef<string[]>
 * ```
 */
export type MapArg<T = unknown> = readonly T[] | TaskRef<readonly T[]> | XComArg<readonly T[]>;

/**
 * One `MapArg` per parameter of the tuple `A`: what `expand()` takes for a function with these
 * parameters.
 *
 * @example
 * ```ts
 * const mapped: MapArgs<[string, number]> = [['a', 'b'], [1, 2, 3]]; // 2 × 3 = 6 instances
 * ```
 */
export type MapArgs<A extends readonly unknown[]> = { [K in keyof A]: MapArg<A[K]> };

const NOT_A_LIST = 'expand() maps over a list: pass an array, or the output of a task that returns one';

/** Where one mapped input's list comes from; `label` names it in messages (`argument 2`, `bashCommand`). */
export function toMapSource(builder: DagBuilder, where: string, value: unknown, label: string): MapSource {
  if (isTaskRef(value) || isXComArg(value)) {
    if (ownerOf(value) !== builder) {
      throw new DagDefinitionError(
        `${where}: ${label} is the output of task "${value.taskId}" from another DAG; a task can only map over outputs of its own DAG.`,
      );
    }
    return { kind: 'xcom', taskId: value.taskId, key: isXComArg(value) ? value.key : 'return_value' };
  }
  if (isMapItem(value)) {
    throw new DagDefinitionError(
      `${where}: ${label} is the item of mapped task group "${value.groupId}", one element rather than a list; mapping over it would be nested mapping, which is not supported.`,
    );
  }
  if (!Array.isArray(value)) throw new DagDefinitionError(`${where}: ${label}: ${NOT_A_LIST} (got ${describe(value)}).`);
  const problem = jsonProblem(value, label);
  if (problem) throw new DagDefinitionError(`${where}: ${problem}. Lists written in the DAG file are stored as JSON.`);
  return { kind: 'literal', values: JSON.parse(JSON.stringify(value)) as unknown[] };
}

/** `.expand()` inside a mapped task group would map each instance again: refused, as one level is supported. */
export function refuseNestedMapping(builder: DagBuilder, where: string): void {
  const group = builder.shapes.openMappedGroupId();
  if (group !== null) {
    throw new DagDefinitionError(
      `${where}: expand() inside mapped task group "${group}": nested mapping is not supported. Every task in the group already runs once per element; pass the group's item as an argument, or move the task out of the group.`,
    );
  }
}

/** `expand()` with nothing to map over is a mistake, not an unmapped task. */
export function requireMappedInputs(where: string, count: number): void {
  if (count === 0) {
    throw new DagDefinitionError(`${where}: expand() needs at least one list to map over: pass an array, or the output of a task that returns one.`);
  }
}
