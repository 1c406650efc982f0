import { UpdraftError } from '../../core/errors.ts';
import type { Dag, TaskDefinition } from '../../sdk/index.ts';

// Not imported from xcom-access.ts, which imports this file.
const RETURN_VALUE_KEY = 'return_value';

/**
 * Airflow's UnmappableXComTypePushed / XComForMappingNotPushed: a task whose XCom another task maps over
 * must push a list under that key, or the mapped task could not be expanded. The producer's attempt
 * fails (retries apply), where the mistake is, rather than the mapped task later.
 */

/** A task pushed (or returned) something that a mapped task cannot map over. */
export class UnmappableXComError extends UpdraftError {
  constructor(message: string) {
    super('unmappable_xcom', message);
  }
}

/** Who maps over which of this task's XCom keys: key → `task "process"` / `task group "per_file"`. */
export type MappedOverKeys = ReadonlyMap<string, string>;

/**
 * The keys of `task`'s XComs that a task or mapped task group of the DAG expands over. Empty for a
 * mapped task: mapping over a mapped task's output takes one element per instance, whatever it pushed.
 */
export function mappedOverKeys(dag: Pick<Dag, 'tasks' | 'taskGroups'> | undefined, task: TaskDefinition): MappedOverKeys {
  const keys = new Map<string, string>();
  if (!dag || (task.expandInputs?.length ?? 0) > 0 || task.mappedGroupId !== undefined) return keys;
  for (const consumer of dag.tasks.values()) {
    for (const input of consumer.expandInputs ?? []) {
      const source = input.source;
      if (source.kind === 'xcom' && source.taskId === task.taskId && !keys.has(source.key)) keys.set(source.key, `task "${consumer.taskId}"`);
    }
  }
  for (const [groupId, group] of dag.taskGroups) {
    const source = group.expand;
    if (source?.kind === 'xcom' && source.taskId === task.taskId && !keys.has(source.key)) keys.set(source.key, `task group "${groupId}"`);
  }
  return keys;
}

/** Throws when the return value cannot be mapped over by the task that maps over it. */
export function checkMappedReturnValue(task: TaskDefinition, keys: MappedOverKeys, returnValue: unknown): void {
  const consumer = keys.get(RETURN_VALUE_KEY);
  if (consumer === undefined || Array.isArray(returnValue)) return;
  const advice = 'return an array (a list of the items to map over).';
  if (!task.doXcomPush) {
    throw new UnmappableXComError(
      `Task "${task.taskId}" does not push its return value (doXcomPush is false), but ${consumer} maps over its return value: ` +
        `set doXcomPush to true and ${advice}`,
    );
  }
  if (returnValue === undefined || returnValue === null) {
    throw new UnmappableXComError(`Task "${task.taskId}" returned nothing, but ${consumer} maps over its return value: ${advice}`);
  }
  throw new UnmappableXComError(`Task "${task.taskId}" returned ${describeValue(returnValue)}, but ${consumer} maps over its return value: ${advice}`);
}

/** Throws when a pushed value cannot be mapped over by the task that maps over its key. */
export function checkMappedPush(taskId: string, keys: MappedOverKeys, key: string, value: unknown): void {
  const consumer = keys.get(key);
  if (consumer === undefined || Array.isArray(value)) return;
  throw new UnmappableXComError(
    `Task "${taskId}" pushed ${describeValue(value)} as XCom "${key}", but ${consumer} maps over it: push an array (a list of the items to map over).`,
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}
