import type { ExecutionApiClient } from '../../http/execution-api-client.ts';
import type { TaskConnection, TaskConnections, TaskVariables } from '../../sdk/index.ts';
import type { SecretMasker } from '../secrets/secret-masker.ts';
import { VariableNotDefinedError } from './errors.ts';

/**
 * A task's variables and connections, read through the Execution API (the worker holds no secrets of its
 * own). Whatever secret a task reads is registered with the masker of its log at once, so it cannot leak
 * into the log afterwards.
 */
export class TaskSecretAccess {
  readonly variables: TaskVariables;
  readonly connections: TaskConnections;

  constructor(client: Pick<ExecutionApiClient, 'getVariable' | 'setVariable' | 'getConnection'>, masker: SecretMasker) {
    this.variables = {
      async get(key, defaultValue) {
        const value = await client.getVariable(key);
        if (value === null) {
          if (defaultValue !== undefined) return defaultValue;
          throw new VariableNotDefinedError(
            `Variable "${key}" is not defined: set UPDRAFT_VAR_${key.toUpperCase()}, create the secret ` +
              `updraft/variables/${key}, or store it in the metastore, or pass a default to ctx.variables.get.`,
          );
        }
        masker.addVariable(key, value);
        return value;
      },
      async set(key, value, description) {
        masker.addVariable(key, value);
        await client.setVariable(key, value, description ?? null);
      },
    };
    this.connections = {
      async get(connId): Promise<TaskConnection> {
        const connection = await client.getConnection(connId);
        masker.addConnection(connection);
        return connection;
      },
    };
  }
}
