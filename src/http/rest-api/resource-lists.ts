import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';

/**
 * Airflow's list conventions for resources Updraft reads whole from the metastore (variables,
 * connections, pools, import errors, assets): `limit` (default 50, above the maximum page size it is
 * lowered to it, as Airflow's `maximum_page_limit` does), `offset`, `order_by` (a field, `-field` for
 * descending), and `*_pattern` searches (case-insensitive "contains", with SQL's `%` and `_` wildcards,
 * as Airflow's ILIKE search).
 */

export const DEFAULT_PAGE_LIMIT = 50;
export const MAXIMUM_PAGE_LIMIT = 100;

const nonNegativeInteger = z.coerce.number().int().min(0);

/** The zod shape of `limit`, `offset` and `order_by` (repeatable) for a list endpoint's query. */
export const pageQueryShape = {
  limit: nonNegativeInteger.default(DEFAULT_PAGE_LIMIT),
  offset: nonNegativeInteger.default(0),
  order_by: z.union([z.string(), z.array(z.string())]).optional(),
};

export interface PageQuery {
  limit: number;
  offset: number;
  order_by?: string | string[];
}

/** How to read each sortable field from a record, under the names Airflow accepts in `order_by`. */
export type SortFields<T> = Record<string, (record: T) => string | number | boolean | Date | null>;

function compareValues(a: unknown, b: unknown): number {
  // Nulls sort last ascending, as PostgreSQL orders them.
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  const left = a instanceof Date ? a.getTime() : a;
  const right = b instanceof Date ? b.getTime() : b;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return Number(left) - Number(right);
}

/**
 * Sorts by `order_by` (default: `defaultField`), then pages. Unknown fields are a 400 naming the ones
 * allowed, as Airflow answers.
 */
export function sortAndPage<T>(
  records: readonly T[],
  query: PageQuery,
  fields: SortFields<T>,
  defaultField: string,
): { page: T[]; total: number } {
  const requested = query.order_by === undefined ? [defaultField] : Array.isArray(query.order_by) ? query.order_by : [query.order_by];
  const orders = requested
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const descending = entry.startsWith('-');
      const name = descending ? entry.slice(1) : entry;
      const read = fields[name];
      if (!read) {
        throw new ValidationError(
          `Ordering with '${name}' is disallowed or the attribute does not exist on the model. Use one of: ${Object.keys(fields).join(', ')} ` +
            '(prefix with "-" for descending order).',
          'order_by',
        );
      }
      return { read, sign: descending ? -1 : 1 };
    });
  const sorted = [...records].sort((a, b) => {
    for (const { read, sign } of orders) {
      const result = compareValues(read(a), read(b));
      if (result !== 0) return sign * result;
    }
    return 0;
  });
  const limit = Math.min(query.limit, MAXIMUM_PAGE_LIMIT);
  return { page: sorted.slice(query.offset, query.offset + limit), total: records.length };
}

/** Whether `value` matches a `*_pattern` search: case-insensitive contains; `%` any run, `_` one character. */
export function matchesPattern(value: string, pattern: string | undefined): boolean {
  if (pattern === undefined || pattern === '') return true;
  const source = [...pattern]
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(source, 'is').test(value);
}

/** Parses `update_mask` (repeatable, or comma-separated) into field names; undefined when absent. */
export function updateMask(raw: string | string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter((entry) => entry !== '');
}
