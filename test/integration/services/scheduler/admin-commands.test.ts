import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../../src/core/errors.ts';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import { DynamoDbUserStore } from '../../../../src/aws/dynamodb/user-store.ts';
import { verifyPassword } from '../../../../src/services/auth/passwords.ts';
import { isAdminCommand, runAdminCommand } from '../../../../src/services/scheduler/admin-commands.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { dag, task } from '../../../unit/core/scheduling/builders.ts';
import { createHarness, saveDag, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness('sched-admin');
});

describe('scheduler admin commands', () => {
  it('tells commands from schedule and ECS events', () => {
    expect(isAdminCommand({ updraft_command: 'trigger_dag_run', dag_id: 'a' })).toBe(true);
    expect(isAdminCommand({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBe(false);
    expect(isAdminCommand(null)).toBe(false);
  });

  it('triggers a queued manual run with conf and logical date, idempotently by run id', async () => {
    await saveDag(h, dag('admin-trigger', [task('work')]));
    const command = { updraft_command: 'trigger_dag_run', dag_id: 'admin-trigger', logical_date: '2024-01-05T06:00:00Z', conf: { n: 3 } };
    const result = await runAdminCommand(h.deps(), command);
    expect(result).toEqual({
      updraft_command: 'trigger_dag_run',
      dag_id: 'admin-trigger',
      dag_run_id: 'manual__2024-01-05T06:00:00+00:00',
      state: 'queued',
      logical_date: '2024-01-05T06:00:00.000Z',
    });
    const run = await h.metastore.getDagRun({ dagId: 'admin-trigger', runId: result.updraft_command === 'trigger_dag_run' ? result.dag_run_id : '' });
    expect(run).toMatchObject({ runType: 'manual', conf: { n: 3 } });
    await expect(runAdminCommand(h.deps(), command)).rejects.toBeInstanceOf(ConflictError);
  });

  it('pauses and unpauses a DAG', async () => {
    await saveDag(h, dag('admin-pause', [task('work')]), { isPaused: true });
    expect(await runAdminCommand(h.deps(), { updraft_command: 'set_dag_paused', dag_id: 'admin-pause', is_paused: false })).toEqual({
      updraft_command: 'set_dag_paused',
      dag_id: 'admin-pause',
      is_paused: false,
    });
    expect((await h.metastore.getDag('admin-pause'))?.isPaused).toBe(false);
  });

  it('refuses a malformed command, naming the field and showing the shape', async () => {
    const refusal = runAdminCommand(h.deps(), { updraft_command: 'set_dag_paused', dag_id: 'x', is_paused: 'no' });
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toThrow(/is_paused: .*Send \{"updraft_command":"trigger_dag_run"/);
    await expect(runAdminCommand(h.deps(), { updraft_command: 'delete_everything' })).rejects.toThrow(/updraft_command/);
  });

  it('answers a missing DAG with its id', async () => {
    await expect(runAdminCommand(h.deps(), { updraft_command: 'trigger_dag_run', dag_id: 'nope' })).rejects.toThrow(/nope/);
    await expect(runAdminCommand(h.deps(), { updraft_command: 'set_dag_paused', dag_id: 'nope', is_paused: true })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('create_user', () => {
  let users: DynamoDbUserStore;
  beforeAll(async () => {
    const client = createDynamoDbClient(emulatorClientOptions());
    const tableName = uniqueName('sched-admin-users');
    await createMetastoreTable(client, tableName);
    users = new DynamoDbUserStore(client, tableName);
  });

  it('creates the first user with a generated password, returned once, that the auth manager accepts', async () => {
    const result = await runAdminCommand({ ...h.deps(), users }, { updraft_command: 'create_user', username: 'ops-admin', role: 'admin' });
    expect(result).toMatchObject({ updraft_command: 'create_user', username: 'ops-admin', role: 'admin', generated_password: expect.any(String) });
    const password = result.updraft_command === 'create_user' ? result.generated_password! : '';
    const stored = await users.getUser('ops-admin');
    expect(stored).toMatchObject({ role: 'admin', dagIds: null });
    expect(stored!.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, stored!.passwordHash)).toBe(true);
  });

  it('keeps a given password unreturned, limits DAGs, and refuses a taken name or a bad role', async () => {
    const result = await runAdminCommand({ ...h.deps(), users }, {
      updraft_command: 'create_user',
      username: 'analyst',
      role: 'viewer',
      password: 'long-enough-password',
      dag_tags: ['finance'],
    });
    expect(result).toMatchObject({ generated_password: null });
    expect(await users.getUser('analyst')).toMatchObject({ role: 'viewer', dagTags: ['finance'] });
    await expect(runAdminCommand({ ...h.deps(), users }, { updraft_command: 'create_user', username: 'analyst', role: 'viewer' })).rejects.toBeInstanceOf(ConflictError);
    await expect(runAdminCommand({ ...h.deps(), users }, { updraft_command: 'create_user', username: 'x', role: 'root' })).rejects.toThrow(/role/);
  });
});
