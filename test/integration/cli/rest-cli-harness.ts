import { Command } from 'commander';
import { textSink } from '../../support/text-sink.ts';
import { DynamoDbPoolStore } from '../../../src/aws/dynamodb/pool-store.ts';
import { DynamoDbUserStore } from '../../../src/aws/dynamodb/user-store.ts';
import { localApiConnection, openApiConnection } from '../../../src/cli/api-connection.ts';
import { addApiOptions, type CliIo } from '../../../src/cli/command-support.ts';
import { registerConnectionsCommands } from '../../../src/cli/commands/connections.ts';
import { registerDagsCommands } from '../../../src/cli/commands/dags.ts';
import { registerInfoCommand } from '../../../src/cli/commands/info.ts';
import { registerPoolsCommands } from '../../../src/cli/commands/pools.ts';
import { registerTasksCommands } from '../../../src/cli/commands/tasks.ts';
import { registerVariablesCommands } from '../../../src/cli/commands/variables.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { systemClock } from '../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { createRestApiApp, serveRestApi, type ServedApi } from '../../../src/http/rest-api/index.ts';
import type { Endpoint } from '../../../src/http/rest-api/endpoint.ts';
import { AUTH_ENDPOINTS } from '../../../src/http/rest-api/endpoints/auth.ts';
import { CONNECTION_ENDPOINTS } from '../../../src/http/rest-api/endpoints/connections.ts';
import { DAG_RUN_ENDPOINTS } from '../../../src/http/rest-api/endpoints/dag-runs.ts';
import { DAG_ENDPOINTS } from '../../../src/http/rest-api/endpoints/dags.ts';
import { IMPORT_ERROR_ENDPOINTS } from '../../../src/http/rest-api/endpoints/import-errors.ts';
import { MONITOR_ENDPOINTS } from '../../../src/http/rest-api/endpoints/monitor.ts';
import { POOL_ENDPOINTS } from '../../../src/http/rest-api/endpoints/pools.ts';
import { LOG_ENDPOINTS } from '../../../src/http/rest-api/endpoints/task-instance-logs.ts';
import { TASK_INSTANCE_ENDPOINTS } from '../../../src/http/rest-api/endpoints/task-instances.ts';
import { VARIABLE_ENDPOINTS } from '../../../src/http/rest-api/endpoints/variables.ts';
import { hashPassword } from '../../../src/services/auth/passwords.ts';
import { SimpleAuthManager } from '../../../src/services/auth/simple-auth-manager.ts';
import { createEmulatorStorage } from '../../support/emulator-storage.ts';

/**
 * The CLI's REST-backed commands run through commander, as main.ts runs them, against one state on the
 * emulators reached two ways: local mode's in-process app, and a served REST API via --api-url and a token.
 */

/** The endpoint groups the CLI uses (served explicitly: the app's default list grows as groups land). */
export const CLI_ENDPOINTS: readonly Endpoint[] = unique([
  ...MONITOR_ENDPOINTS,
  ...AUTH_ENDPOINTS,
  ...DAG_ENDPOINTS,
  ...DAG_RUN_ENDPOINTS,
  ...TASK_INSTANCE_ENDPOINTS,
  ...LOG_ENDPOINTS,
  ...IMPORT_ERROR_ENDPOINTS,
  ...POOL_ENDPOINTS,
  ...VARIABLE_ENDPOINTS,
  ...CONNECTION_ENDPOINTS,
]);

function unique(endpoints: Endpoint[]): Endpoint[] {
  return [...new Map(endpoints.map((endpoint) => [endpoint.operationId, endpoint])).values()];
}

const JWT_SECRET = 'cli-test-secret-of-at-least-32-characters!!';
export const ADMIN = { username: 'alice', password: 'alice-password' };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type Mode = 'local' | 'remote';

export async function createRestCliHarness(prefix: string) {
  const storage = await createEmulatorStorage(prefix);
  const { dynamo, tableName, metastore, objectStore } = storage;
  const pools = new DynamoDbPoolStore(dynamo, tableName);
  const users = new DynamoDbUserStore(dynamo, tableName);
  await users.createUser({
    username: ADMIN.username,
    role: 'admin',
    passwordHash: await hashPassword(ADMIN.password),
    dagIds: null,
    dagTags: null,
    createdAt: new Date(),
  });

  const authManager = new SimpleAuthManager({ users, clock: systemClock, jwtSecret: JWT_SECRET });
  const app = createRestApiApp({ metastore, objectStore, pools, authManager, clock: systemClock, logger: silentLogger, version: '9.8.7', endpoints: CLI_ENDPOINTS });
  const served: ServedApi = await serveRestApi(app, { port: 0, host: '127.0.0.1' });
  const token = await authManager.generateToken(await authManager.authenticate(ADMIN));

  /** Called between polls of `dags trigger --wait`: tests move the run along here instead of waiting. */
  let onSleep: () => Promise<void> = async () => {};

  async function run(mode: Mode, args: string[], options: { env?: Record<string, string>; confirm?: boolean | null; files?: Map<string, string> } = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const sink = textSink;
    const files = options.files ?? new Map<string, string>();
    const io: CliIo = {
      stdout: sink((text) => (stdout += text)),
      stderr: sink((text) => (stderr += text)),
      openApi: (target) =>
        mode === 'local'
          ? localApiConnection({ metastore, objectStore, pools, users, jwtSecret: JWT_SECRET, home: '/state/.updraft', standaloneRunning: true, endpoints: CLI_ENDPOINTS })
          : openApiConnection(target, options.env ?? {}),
      sleep: () => onSleep(),
      confirm: async () => options.confirm ?? null,
      readFile: async (path) => {
        const text = files.get(path);
        if (text === undefined) throw new Error(`no test file ${path}`);
        return text;
      },
      writeFile: async (path, text) => void files.set(path, text),
    };
    const program = addApiOptions(
      new Command('updraft').exitOverride().configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) }),
    );
    registerDagsCommands(program, io);
    registerTasksCommands(program, io);
    registerPoolsCommands(program, io);
    registerVariablesCommands(program, io);
    registerConnectionsCommands(program, io);
    registerInfoCommand(program, io, () => 'local');
    const remote = mode === 'remote' && !options.env ? ['--api-url', served.url, '--token', token] : [];
    try {
      await program.parseAsync(['node', 'updraft', ...remote, ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      return { code: exitCodeFor(error), stdout, stderr: `${stderr}${(error as Error).message}` };
    }
  }

  return {
    metastore,
    objectStore,
    pools,
    users,
    url: served.url,
    token,
    run,
    setOnSleep(action: () => Promise<void>) {
      onSleep = action;
    },
    async close() {
      await served.close();
      storage.close();
    },
  };
}
