import { isSensitiveName } from '../../../services/secrets/sensitive-names.ts';

/**
 * Airflow's secrets masker, as its REST API applies it: a value whose key names something secret is
 * shown as `***`, recursively through objects and arrays. The names are Airflow's default sensitive
 * fields, matched case-insensitively as substrings (`db_password`, `X-Api-Key`...).
 */

export const REDACTED = '***';

function redactAll(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactAll);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAll(v)]));
  return REDACTED;
}

/** `value` with every part under a sensitive key (or all of it, when `name` is sensitive) replaced by `***`. */
export function redact(value: unknown, name?: string): unknown {
  if (name !== undefined && isSensitiveName(name)) return redactAll(value);
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, key)]));
  }
  return value;
}
