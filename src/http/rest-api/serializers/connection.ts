import { z } from 'zod';
import type { Connection } from '../../../core/model/connection.ts';
import { REDACTED, redact } from './redact.ts';

/** Airflow's ConnectionResponse: `extra` is JSON text, as Airflow stores it. */
export const connectionResponseSchema = z.object({
  connection_id: z.string(),
  conn_type: z.string(),
  description: z.string().nullable(),
  host: z.string().nullable(),
  login: z.string().nullable(),
  schema: z.string().nullable(),
  port: z.number().int().nullable(),
  password: z.string().nullable(),
  extra: z.string().nullable(),
  team_name: z.string().nullable(),
});

export const connectionCollectionSchema = z.object({
  connections: z.array(connectionResponseSchema),
  total_entries: z.number().int(),
});

export type ConnectionResponse = z.infer<typeof connectionResponseSchema>;

/**
 * A connection as the API shows it. The password never leaves: a set password reads `***`, as Airflow's
 * redaction shows it, so a client can tell "set" from "not set". Sensitive keys of the extra read `***`.
 * `description` is null: Updraft's connection record has no description (see docs/rest-api.md).
 */
export function connectionResponse(connection: Connection): ConnectionResponse {
  return {
    connection_id: connection.connId,
    conn_type: connection.connType,
    description: null,
    host: connection.host,
    login: connection.login,
    schema: connection.schema,
    port: connection.port,
    password: connection.password === null ? null : REDACTED,
    extra: Object.keys(connection.extra).length === 0 ? null : JSON.stringify(redact(connection.extra)),
    team_name: null,
  };
}

/**
 * A client that read a connection and sends it back sends `***` where secrets were. Those placeholders
 * keep the stored values instead of overwriting them, so a read-modify-write never destroys a secret.
 */
export function restoreRedacted(sent: unknown, stored: unknown): unknown {
  if (sent === REDACTED) return stored === undefined ? sent : stored;
  if (sent !== null && typeof sent === 'object' && !Array.isArray(sent) && stored !== null && typeof stored === 'object' && !Array.isArray(stored)) {
    const storedObject = stored as Record<string, unknown>;
    return Object.fromEntries(Object.entries(sent).map(([key, value]) => [key, restoreRedacted(value, storedObject[key])]));
  }
  return sent;
}
