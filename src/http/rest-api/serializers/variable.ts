import { z } from 'zod';
import type { VariableRecord } from '../../../core/ports/metastore.ts';
import { redact } from './redact.ts';

/** Airflow's VariableResponse. */
export const variableResponseSchema = z.object({
  key: z.string(),
  value: z.string().nullable(),
  description: z.string().nullable(),
  is_encrypted: z.boolean(),
  team_name: z.string().nullable(),
});

export const variableCollectionSchema = z.object({
  variables: z.array(variableResponseSchema),
  total_entries: z.number().int(),
});

export type VariableResponse = z.infer<typeof variableResponseSchema>;

/**
 * The value as Airflow's API shows it: a JSON object or array has its sensitive keys masked; a value
 * whose own key is sensitive (`db_password`) is masked whole. Unmasked values are returned exactly as stored.
 */
export function displayedVariableValue(key: string, value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return String(redact(value, key));
  }
  const redacted = redact(parsed, key);
  return JSON.stringify(redacted) === JSON.stringify(parsed) ? value : JSON.stringify(redacted);
}

/**
 * `is_encrypted` is Airflow's Fernet flag; Updraft stores variables in DynamoDB, encrypted at rest by the
 * table's key rather than per value, so it is false. `team_name` is null: Updraft has no multi-team mode.
 */
export function variableResponse(variable: VariableRecord): VariableResponse {
  return {
    key: variable.key,
    value: displayedVariableValue(variable.key, variable.value),
    description: variable.description,
    is_encrypted: false,
    team_name: null,
  };
}

/** Airflow accepts any JSON value for a variable and stores non-strings as their JSON text. */
export function storedVariableValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
