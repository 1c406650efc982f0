import type { Connection } from '../model/connection.ts';

/**
 * One place connections and variables come from (Airflow's BaseSecretsBackend). Backends are searched
 * in order; `null` means "not here, ask the next one". A backend throws only when it could not look
 * (no access, throttled, cannot decrypt), never for a value that is simply absent.
 */
export interface SecretsBackend {
  /** Short, human-readable: appears in "not found" messages and logs. */
  readonly name: string;
  getConnection(connId: string): Promise<Connection | null>;
  getVariable(key: string): Promise<string | null>;
  /** Where this backend looked, for a "not found" message: e.g. `environment variable UPDRAFT_CONN_MY_DB`. */
  describeLookup?(kind: 'connection' | 'variable', id: string): string;
}

/** A backend that can store variables (only the metastore is, as only Airflow's metadata DB is). */
export interface WritableSecretsBackend extends SecretsBackend {
  setVariable(key: string, value: string, description?: string | null): Promise<void>;
}

export function isWritableSecretsBackend(backend: SecretsBackend): backend is WritableSecretsBackend {
  return typeof (backend as Partial<WritableSecretsBackend>).setVariable === 'function';
}
