import { XComValueError } from './errors.ts';

/**
 * XComs travel as JSON. JSON.stringify silently drops or mangles many JS values (functions, Maps, NaN,
 * undefined object members), and a downstream task would then read something the upstream never
 * returned; so anything that does not survive the round trip unchanged fails the attempt instead.
 * Dates are the one allowed conversion: they become ISO strings, as they would in any JSON API.
 */
export function toJsonValue(value: unknown, what: string): unknown {
  const problem = findProblem(value, '$', new Set());
  if (problem) {
    throw new XComValueError(
      `${what} is not JSON-serialisable: ${problem}. ` +
        'Return plain JSON data (objects, arrays, strings, finite numbers, booleans, null); convert other values first.',
    );
  }
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function findProblem(value: unknown, path: string, ancestors: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} is ${value}`;
    case 'undefined':
      return `${path} is undefined`;
    case 'bigint':
      return `${path} is a bigint`;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
  }
  if (value === null || value instanceof Date) return null;
  const object = value as object;
  if (ancestors.has(object)) return `${path} refers to itself (a cycle)`;
  if (Array.isArray(object)) {
    ancestors.add(object);
    for (let i = 0; i < object.length; i++) {
      const problem = findProblem(object[i], `${path}[${i}]`, ancestors);
      if (problem) return problem;
    }
    ancestors.delete(object);
    return null;
  }
  const proto = Object.getPrototypeOf(object) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    return `${path} is a ${name}`;
  }
  ancestors.add(object);
  for (const [key, member] of Object.entries(object)) {
    const problem = findProblem(member, `${path}.${key}`, ancestors);
    if (problem) return problem;
  }
  ancestors.delete(object);
  return null;
}
