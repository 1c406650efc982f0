import { isMapItem } from './map-item.ts';
import { isTaskRef, isXComArg } from './task-ref.ts';

/**
 * Why a value would not survive JSON.stringify/JSON.parse unchanged, or null if it would. Values in a
 * DAG definition (TaskFlow literals, param defaults) are stored as JSON, so anything that JSON would
 * drop or change (undefined, functions, Dates, Maps, NaN, class instances) is refused up front.
 * `path` names the value in the message, e.g. `args[1].items[0]`.
 */
export function jsonProblem(value: unknown, path: string, seen: Set<object> = new Set()): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot represent`;
    case 'undefined':
      return `${path} is undefined, which JSON drops; use null`;
    case 'function':
      return `${path} is a function, which JSON cannot hold`;
    case 'bigint':
      return `${path} is a bigint, which JSON cannot hold; use a number or a string`;
    case 'symbol':
      return `${path} is a symbol, which JSON cannot hold`;
  }
  if (value === null) return null;
  const object = value as object;
  if (isTaskRef(object) || isXComArg(object)) {
    return `${path} holds the output of task "${object.taskId}" inside a literal; pass task outputs as direct arguments of the task call`;
  }
  if (isMapItem(object)) {
    return `${path} holds the item of mapped task group "${object.groupId}" inside a literal; pass the item as a direct argument of the task call`;
  }
  if (object instanceof Date) return `${path} is a Date, which JSON turns into a string; pass date.toISOString()`;
  if (seen.has(object)) return `${path} refers back to itself, which JSON cannot hold`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index += 1) {
        const problem = jsonProblem(object[index], `${path}[${index}]`, seen);
        if (problem) return problem;
      }
      return null;
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `${path} is a ${kind}, which JSON does not preserve; use plain objects and arrays`;
    }
    for (const [key, item] of Object.entries(object)) {
      const problem = jsonProblem(item, `${path}.${key}`, seen);
      if (problem) return problem;
    }
    return null;
  } finally {
    seen.delete(object);
  }
}
