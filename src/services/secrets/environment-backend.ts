import { parseConnectionValue, type Connection } from '../../core/model/connection.ts';
import type { SecretsBackend } from '../../core/ports/secrets.ts';

export const CONNECTION_ENV_PREFIX = 'UPDRAFT_CONN_';
export const VARIABLE_ENV_PREFIX = 'UPDRAFT_VAR_';

/** The variable names Airflow's AIRFLOW_CONN_/AIRFLOW_VAR_ rule gives: the prefix and the id upper-cased, nothing else changed. */
export const connectionEnvName = (connId: string): string => `${CONNECTION_ENV_PREFIX}${connId.toUpperCase()}`;
export const variableEnvName = (key: string): string => `${VARIABLE_ENV_PREFIX}${key.toUpperCase()}`;

/**
 * Connections and variables from environment variables, searched first (Airflow's
 * EnvironmentVariablesBackend). A connection's value is a URI or JSON; an empty one counts as unset,
 * while an empty variable is a value (as in Airflow).
 */
export class EnvironmentSecretsBackend implements SecretsBackend {
  readonly name = 'environment variables';

  constructor(private readonly env: Readonly<Record<string, string | undefined>> = process.env) {}

  async getConnection(connId: string): Promise<Connection | null> {
    const value = this.env[connectionEnvName(connId)];
    return value ? parseConnectionValue(connId, value) : null;
  }

  async getVariable(key: string): Promise<string | null> {
    return this.env[variableEnvName(key)] ?? null;
  }

  describeLookup(kind: 'connection' | 'variable', id: string): string {
    return `environment variable ${kind === 'connection' ? connectionEnvName(id) : variableEnvName(id)}`;
  }
}
