import { ValidationError } from '../errors.ts';

/**
 * JSON with object keys sorted at every level, so that equal values always give the same text: the
 * input of content hashes (DAG version ids). Arrays keep their order. Otherwise it follows
 * JSON.stringify: `toJSON` is honoured (Dates become ISO strings), undefined and function members of
 * objects are dropped, and in arrays they become null.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(sortKeys(value, '$', new Set()));
  if (text === undefined) {
    throw new ValidationError(`canonicalJson: the value (${typeof value}) has no JSON form; pass a JSON value.`, '$');
  }
  return text;
}

function sortKeys(value: unknown, path: string, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const withJson = value as { toJSON?: unknown };
  if (typeof withJson.toJSON === 'function') return sortKeys((withJson.toJSON as () => unknown).call(value), path, seen);
  if (seen.has(value)) throw new ValidationError(`canonicalJson: the value refers back to itself at ${path}; JSON cannot hold cycles.`, path);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, index) => sortKeys(item, `${path}[${index}]`, seen));
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
    }
    return sorted;
  } finally {
    seen.delete(value);
  }
}
