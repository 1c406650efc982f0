import { createHash } from 'node:crypto';

/**
 * Airflow's REST API names assets, asset events and import errors by integer ids (database sequences).
 * Updraft has no sequence, so it derives the integer from the record's natural key: the first 48 bits of
 * its SHA-256. That fits a JavaScript safe integer and a Python int, is the same on every call (no lookup
 * table to keep), and makes a collision between two keys of one deployment vanishingly unlikely.
 */
export function stableIntegerId(naturalKey: string): number {
  return Number.parseInt(createHash('sha256').update(naturalKey).digest('hex').slice(0, 12), 16);
}
