import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { matchesPattern, sortAndPage, updateMask } from '../../../../src/http/rest-api/resource-lists.ts';

const rows = [
  { name: 'b', n: 2, at: null as Date | null },
  { name: 'a', n: 3, at: new Date('2026-01-01') },
  { name: 'c', n: 1, at: new Date('2025-01-01') },
];
const fields = { name: (r: (typeof rows)[number]) => r.name, n: (r: (typeof rows)[number]) => r.n, at: (r: (typeof rows)[number]) => r.at };

describe('sortAndPage', () => {
  it('orders by the default field, a given one, or descending, then pages', () => {
    expect(sortAndPage(rows, { limit: 50, offset: 0 }, fields, 'name').page.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(sortAndPage(rows, { limit: 50, offset: 0, order_by: '-n' }, fields, 'name').page.map((r) => r.n)).toEqual([3, 2, 1]);
    expect(sortAndPage(rows, { limit: 1, offset: 1, order_by: 'n' }, fields, 'name')).toEqual({ page: [rows[0]], total: 3 });
  });

  it('sorts nulls last and dates by time', () => {
    expect(sortAndPage(rows, { limit: 50, offset: 0, order_by: 'at' }, fields, 'name').page.map((r) => r.name)).toEqual(['c', 'a', 'b']);
  });

  it('caps the page at 100 and refuses unknown fields', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ name: String(i).padStart(3, '0'), n: i, at: null }));
    expect(sortAndPage(many, { limit: 500, offset: 0 }, fields, 'name').page).toHaveLength(100);
    expect(() => sortAndPage(rows, { limit: 50, offset: 0, order_by: 'secret' }, fields, 'name')).toThrow(ValidationError);
  });
});

describe('matchesPattern', () => {
  it('is a case-insensitive contains with SQL wildcards, and literal otherwise', () => {
    expect(matchesPattern('Orders_Daily', 'orders')).toBe(true);
    expect(matchesPattern('orders_daily', 'ord%ly')).toBe(true);
    expect(matchesPattern('ordersXdaily', 'orders_daily')).toBe(true);
    expect(matchesPattern('orders.daily', 'a.d')).toBe(false);
    expect(matchesPattern('anything', undefined)).toBe(true);
  });
});

describe('updateMask', () => {
  it('accepts repeated and comma-separated fields', () => {
    expect(updateMask(['slots', 'description, include_deferred'])).toEqual(['slots', 'description', 'include_deferred']);
    expect(updateMask(undefined)).toBeUndefined();
  });
});
