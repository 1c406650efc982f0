import type { Connection } from '../../core/model/connection.ts';
import type { ConnectionStore, VariableStore } from '../../core/ports/metastore.ts';
import type { WritableSecretsBackend } from '../../core/ports/secrets.ts';

/** The metastore as the last secrets backend (Airflow's MetastoreBackend), and the one variables are written to. */
export class MetastoreSecretsBackend implements WritableSecretsBackend {
  readonly name = 'metastore';

  constructor(private readonly metastore: VariableStore & ConnectionStore) {}

  getConnection(connId: string): Promise<Connection | null> {
    return this.metastore.getConnection(connId);
  }

  async getVariable(key: string): Promise<string | null> {
    return (await this.metastore.getVariable(key))?.value ?? null;
  }

  setVariable(key: string, value: string, description: string | null = null): Promise<void> {
    return this.metastore.putVariable({ key, value, description });
  }

  describeLookup(kind: 'connection' | 'variable', id: string): string {
    return `metastore ${kind} "${id}"`;
  }
}
