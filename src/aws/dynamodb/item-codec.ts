import type { DataInterval } from '../../core/model/records.ts';

/**
 * How record fields are stored. Instants are ISO-8601 strings (millisecond precision) so they sort and
 * read well in the console; JSON values are stored as JSON text so that any JSON value (null, deep
 * nesting past DynamoDB's 32 levels, numbers beyond its rules) round-trips exactly. A null field is
 * stored as an absent attribute: items stay small and "no worker holds it" is `attribute_not_exists`.
 */
export type FieldKind = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'stringList' | 'interval';

export interface FieldSpec {
  kind: FieldKind;
  nullable?: boolean;
}

/** One spec per record field; the record type decides which fields exist. */
export type RecordSpec<T> = { [K in keyof T]-?: FieldSpec };

export type Item = Record<string, unknown>;

export function encodeDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError(`Expected a valid Date, got ${String(date)}.`);
  }
  return date.toISOString();
}

export function decodeDate(value: unknown): Date {
  return new Date(String(value));
}

function encodeInterval(interval: DataInterval): Item {
  return { start: encodeDate(interval.start), end: encodeDate(interval.end) };
}

function decodeInterval(value: unknown): DataInterval {
  const stored = value as { start: string; end: string };
  return { start: decodeDate(stored.start), end: decodeDate(stored.end) };
}

/** Encodes one non-null field value for storage. */
export function encodeField(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'date':
      return encodeDate(value as Date);
    case 'json':
      return JSON.stringify(value === undefined ? null : value);
    case 'interval':
      return encodeInterval(value as DataInterval);
    case 'stringList':
      // A list (not a string set): order matters and an empty list is allowed.
      return [...(value as string[])];
    default:
      return value;
  }
}

function decodeField(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'date':
      return decodeDate(value);
    case 'json':
      return JSON.parse(String(value));
    case 'interval':
      return decodeInterval(value);
    case 'stringList':
      return Array.isArray(value) ? value.map(String) : [];
    case 'number':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    default:
      return value;
  }
}

/** The stored attributes of a record (key attributes are added by the caller). */
export function encodeRecord<T extends object>(spec: RecordSpec<T>, record: T): Item {
  const item: Item = {};
  for (const [field, fieldSpec] of Object.entries(spec) as [string, FieldSpec][]) {
    const value = (record as Record<string, unknown>)[field];
    if (value === null || value === undefined) {
      if (!fieldSpec.nullable && fieldSpec.kind !== 'json') {
        throw new TypeError(`Field "${field}" must not be null.`);
      }
      if (fieldSpec.kind === 'json') item[field] = encodeField('json', null);
      continue;
    }
    item[field] = encodeField(fieldSpec.kind, value);
  }
  return item;
}

export function decodeRecord<T extends object>(spec: RecordSpec<T>, item: Item): T {
  const record: Record<string, unknown> = {};
  for (const [field, fieldSpec] of Object.entries(spec) as [string, FieldSpec][]) {
    const value = item[field];
    record[field] = value === undefined || value === null ? null : decodeField(fieldSpec.kind, value);
  }
  return record as T;
}
