import type { Connection } from '../../core/model/connection.ts';
import { silentLogger, type Logger } from '../../core/ports/logger.ts';
import { isWritableSecretsBackend, type SecretsBackend } from '../../core/ports/secrets.ts';
import { ConnectionNotFoundError, NoWritableSecretsBackendError, VariableNotFoundError } from './errors.ts';

export interface SecretsServiceOptions {
  logger?: Logger;
}

type Kind = 'connection' | 'variable';

/**
 * Looks connections and variables up in the backends, in order (environment, Secrets Manager,
 * metastore), as Airflow does. A backend that fails is logged and the search goes on, as in Airflow; if
 * no later backend has the value, that failure is thrown, because "not found" would hide its cause.
 */
export class SecretsService {
  private readonly logger: Logger;

  constructor(
    private readonly backends: readonly SecretsBackend[],
    options: SecretsServiceOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async getConnection(connId: string): Promise<Connection> {
    const found = await this.search('connection', connId, (backend) => backend.getConnection(connId));
    if (found === null) throw new ConnectionNotFoundError(connId, this.searched('connection', connId));
    return found;
  }

  async getVariable(key: string): Promise<string> {
    const found = await this.search('variable', key, (backend) => backend.getVariable(key));
    if (found === null) throw new VariableNotFoundError(key, this.searched('variable', key));
    return found;
  }

  /**
   * Writes to the first writable backend (the metastore), as Airflow's `Variable.set`. A backend searched
   * before it that also defines the key keeps winning on reads; that is logged as a warning.
   */
  async setVariable(key: string, value: string, description: string | null = null): Promise<void> {
    const index = this.backends.findIndex(isWritableSecretsBackend);
    const writable = this.backends[index];
    if (writable === undefined || !isWritableSecretsBackend(writable)) throw new NoWritableSecretsBackendError(key);
    for (const backend of this.backends.slice(0, index)) {
      const shadowing = await backend.getVariable(key).catch(() => null);
      if (shadowing !== null) {
        this.logger.warn(
          `Variable "${key}" is also defined in ${backend.name}, which is searched before ${writable.name}: ` +
            'tasks will keep reading that value. Remove it there for the new value to take effect.',
          { variable_key: key, backend: backend.name },
        );
        break;
      }
    }
    await writable.setVariable(key, value, description);
  }

  private async search<T>(kind: Kind, id: string, lookup: (backend: SecretsBackend) => Promise<T | null>): Promise<T | null> {
    let failure: unknown = null;
    for (const backend of this.backends) {
      try {
        const value = await lookup(backend);
        if (value !== null) return value;
      } catch (error) {
        failure ??= error;
        this.logger.warn(`Could not read ${kind} "${id}" from ${backend.name}; trying the next secrets backend.`, {
          backend: backend.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (failure !== null) throw failure;
    return null;
  }

  private searched(kind: Kind, id: string): string[] {
    return this.backends.map((backend) => backend.describeLookup?.(kind, id) ?? backend.name);
  }
}
