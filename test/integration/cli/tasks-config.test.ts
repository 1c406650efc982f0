import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { textSink } from '../../support/text-sink.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPoolStore } from '../../../src/aws/dynamodb/pool-store.ts';
import { DynamoDbUserStore } from '../../../src/aws/dynamodb/user-store.ts';
import { localApiConnection, remoteApiConnection } from '../../../src/cli/api-connection.ts';
import { addApiOptions, type CliIo } from '../../../src/cli/command-support.ts';
import { registerInfoCommand } from '../../../src/cli/commands/info.ts';
import { registerTasksCommands } from '../../../src/cli/commands/tasks.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { UpdraftConfig } from '../../../src/core/config/updraft-config.ts';
import { systemClock } from '../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { createRestApiApp } from '../../../src/http/rest-api/index.ts';
import { CONFIG_ENDPOINTS } from '../../../src/http/rest-api/endpoints/config.ts';
import { MONITOR_ENDPOINTS } from '../../../src/http/rest-api/endpoints/monitor.ts';
import { TASK_ENDPOINTS } from '../../../src/http/rest-api/endpoints/tasks.ts';
import { hashPassword } from '../../../src/services/auth/passwords.ts';
import { SimpleAuthManager } from '../../../src/services/auth/simple-auth-manager.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../support/parsed-dags.ts';
import { serializedDag, serializedTask } from '../../support/serialized-dags.ts';

/** `tasks list` over get_tasks and `info` over get_config_value, locally and against a deployed API. */

const ENDPOINTS = [...MONITOR_ENDPOINTS, ...TASK_ENDPOINTS, ...CONFIG_ENDPOINTS];
const JWT_SECRET = 'tasks-cli-test-secret-of-at-least-32-chars!';
let storage: EmulatorStorage;

beforeAll(async () => {
  storage = await createEmulatorStorage('cli-tasks');
  const tasks = [serializedTask('extract', [], { operator: 'taskflow' }), serializedTask('load', ['extract']), serializedTask('audit', ['extract'], { operator: 'empty' })];
  await saveSerializedDag(storage.metastore, serializedDag('etl', tasks), new Date('2026-03-01T00:00:00Z'));
  await new DynamoDbUserStore(storage.dynamo, storage.tableName).createUser({
    username: 'alice',
    role: 'admin',
    passwordHash: await hashPassword('alice-password'),
    dagIds: null,
    dagTags: null,
    createdAt: new Date(),
  });
});
afterAll(() => storage?.close());

/** A deployed API answering through its app in-process, with the given configuration. */
async function remoteApp(config: UpdraftConfig) {
  const users = new DynamoDbUserStore(storage.dynamo, storage.tableName);
  const authManager = new SimpleAuthManager({ users, clock: systemClock, jwtSecret: JWT_SECRET });
  const app = createRestApiApp({
    metastore: storage.metastore,
    objectStore: storage.objectStore,
    pools: new DynamoDbPoolStore(storage.dynamo, storage.tableName),
    authManager,
    clock: systemClock,
    logger: silentLogger,
    version: '9.8.7',
    config,
    endpoints: ENDPOINTS,
  });
  const token = await authManager.generateToken({ id: 'alice', name: 'alice', role: 'admin' });
  return { app, token };
}

async function run(args: string[], target: { remote?: UpdraftConfig } = {}) {
  let stdout = '';
  let stderr = '';
  const sink = textSink;
  const remote = target.remote ? await remoteApp(target.remote) : null;
  const io: CliIo = {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    openApi: async () =>
      remote
        ? remoteApiConnection('http://api.test', { token: remote.token }, async (request) => remote.app.fetch(request))
        : localApiConnection({
            metastore: storage.metastore,
            objectStore: storage.objectStore,
            pools: new DynamoDbPoolStore(storage.dynamo, storage.tableName),
            users: new DynamoDbUserStore(storage.dynamo, storage.tableName),
            jwtSecret: JWT_SECRET,
            home: '/state/.updraft',
            standaloneRunning: false,
            endpoints: ENDPOINTS,
          }),
    sleep: async () => {},
    confirm: async () => null,
    readFile: async () => '',
    writeFile: async () => {},
  };
  const program = addApiOptions(new Command('updraft').exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) }));
  registerTasksCommands(program, io);
  registerInfoCommand(program, io, () => 'local');
  try {
    await program.parseAsync(['node', 'updraft', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: `${stderr}${(error as Error).message}` };
  }
}

const exposed = UpdraftConfig.resolve({ env: { UPDRAFT__API__EXPOSE_CONFIG: 'true', UPDRAFT__CORE__EXECUTOR: 'lambda,fargate' } });

describe('updraft tasks list', () => {
  it("prints the task ids of the DAG's latest version, one a line, as Airflow does", async () => {
    const local = await run(['tasks', 'list', 'etl']);
    expect(local).toEqual({ code: 0, stdout: 'audit\nextract\nload\n', stderr: '' });
    expect((await run(['tasks', 'list', 'etl'], { remote: exposed })).stdout).toBe(local.stdout);
  });

  it('prints operators and downstream tasks as json', async () => {
    const { stdout } = await run(['tasks', 'list', 'etl', '-o', 'json']);
    expect(JSON.parse(stdout)).toEqual([
      { task_id: 'audit', operator: 'EmptyOperator', trigger_rule: 'all_success', downstream_task_ids: [] },
      { task_id: 'extract', operator: '@task', trigger_rule: 'all_success', downstream_task_ids: ['audit', 'load'] },
      { task_id: 'load', operator: 'BashOperator', trigger_rule: 'all_success', downstream_task_ids: [] },
    ]);
  });

  it('fails with the API\'s message for a DAG that does not exist', async () => {
    const result = await run(['tasks', 'list', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Dag with id: nope was not found');
  });
});

describe('updraft info', () => {
  it("reads a deployed API's executor with get_config_value when the API exposes its configuration", async () => {
    const result = await run(['info', '-o', 'json'], { remote: exposed });
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'remote', executor: 'lambda,fargate' });
  });

  it('says unknown, and why, when the API does not expose it', async () => {
    const result = await run(['info', '-o', 'json'], { remote: UpdraftConfig.defaults() });
    expect(JSON.parse(result.stdout).executor).toBe('unknown (the API answered 403 for its configuration)');
  });
});

describe('updraft tasks test', () => {
  it('prints the log and the end state, and exits 1 when the task failed', async () => {
    const dagsFolder = await mkdtemp(join(tmpdir(), 'cli-tasks-test-'));
    try {
      await writeFile(
        join(dagsFolder, 'checks.ts'),
        "import { dag, task } from 'updraft/sdk';\n" +
          "const ok = task({ taskId: 'ok' }, (ctx) => { ctx.log.info('checked ' + ctx.ds); });\n" +
          "const bad = task({ taskId: 'bad' }, () => { throw new Error('row count is 0'); });\n" +
          "export default dag({ dagId: 'checks', schedule: null }, () => { ok(); bad(); });\n",
      );
      const ok = await run(['tasks', 'test', 'checks', 'ok', '--dags-folder', dagsFolder, '--logical-date', '2026-01-05']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('INFO checked 2026-01-05');
      expect(ok.stdout).toMatch(/Task checks\.ok: success\n$/);
      const bad = await run(['tasks', 'test', 'checks', 'bad', '--dags-folder', dagsFolder]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('row count is 0');
      expect(bad.stdout).toContain('Task checks.bad: failed');
    } finally {
      await rm(dagsFolder, { recursive: true, force: true });
    }
  });
});
