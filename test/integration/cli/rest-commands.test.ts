import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskLogKey } from '../../../src/core/model/workload.ts';
import { serializedTask } from '../../support/serialized-dags.ts';
import { closedPort } from '../http/rest-api/rest-api-harness.ts';
import { at, dagRun, parsedDag, serializedDag, taskInstance } from '../aws/dynamodb/fixtures.ts';
import { ADMIN, createRestCliHarness, type Mode } from './rest-cli-harness.ts';

let h: Awaited<ReturnType<typeof createRestCliHarness>>;
const RUN = dagRun('etl', '2026-01-01T00:00:00.000Z', { state: 'success', startDate: at('2026-01-02T00:00:01.000Z'), endDate: at('2026-01-02T00:00:09.000Z') });

beforeAll(async () => {
  h = await createRestCliHarness('cli-rest');
  const tasks = [serializedTask('extract'), serializedTask('load', ['extract'])];
  await h.metastore.saveParsedDag(
    parsedDag('etl', { serialized: serializedDag('etl', { tags: ['sales', 'daily'], tasks }), pausedAtCreation: false, nextDagRunCreateAfter: null }),
  );
  await h.metastore.saveParsedDag(parsedDag('report', { serialized: serializedDag('report', { fileloc: 'etl.ts', tasks }), pausedAtCreation: true }));
  // A file that defined a DAG before it broke (its DAG is stale now): admins see its trace.
  await h.metastore.saveParsedDag(parsedDag('legacy', { serialized: serializedDag('legacy', { fileloc: 'broken.ts' }), isActive: false }));
  await h.metastore.putImportError({ fileloc: 'broken.ts', message: 'Unexpected token ";"', line: 2, timestamp: at('2026-01-03T00:00:00.000Z') });
  await h.metastore.createDagRun(RUN);
  await h.metastore.createTaskInstances([
    taskInstance(RUN, 'extract', { state: 'success', tryNumber: 1, startDate: at('2026-01-02T00:00:02.000Z'), endDate: at('2026-01-02T00:00:04.000Z') }),
    taskInstance(RUN, 'load', { state: 'failed', tryNumber: 2, startDate: at('2026-01-02T00:00:05.000Z'), endDate: at('2026-01-02T00:00:08.000Z') }),
  ]);
  await h.objectStore.put(taskLogKey({ dagId: 'etl', runId: RUN.runId, taskId: 'extract', mapIndex: -1, tryNumber: 1 }), 'extracted 42 rows\n');
});

afterAll(async () => h?.close());

const json = async <T>(mode: Mode, ...args: string[]): Promise<T> => {
  const result = await h.run(mode, [...args, '-o', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};

/** Runs the command both ways and checks the outputs are the same; returns the output. */
async function both(...args: string[]) {
  const local = await h.run('local', args);
  const remote = await h.run('remote', args);
  expect(remote).toEqual(local);
  return local;
}

describe('dags commands, locally and through --api-url', () => {
  it('lists DAGs with the same table both ways', async () => {
    const { code, stdout } = await both('dags', 'list');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 1)).toEqual(['dag_id | fileloc | is_paused | schedule | tags']);
    expect(stdout).toMatch(/^etl +\| etl\.ts +\| false +\| @daily +\| daily,sales$/m);
    expect(await json('remote', 'dags', 'list')).toEqual([
      { dag_id: 'etl', fileloc: 'etl.ts', is_paused: false, schedule: '@daily', tags: ['daily', 'sales'] },
      { dag_id: 'report', fileloc: 'etl.ts', is_paused: true, schedule: '@daily', tags: [] },
    ]);
  });

  it('prints yaml', async () => {
    const { stdout } = await both('dags', 'list', '-o', 'yaml');
    expect(stdout).toContain('- dag_id: etl\n  fileloc: etl.ts\n  is_paused: false\n');
  });

  it('lists import errors with the line of the error', async () => {
    expect(await json('local', 'dags', 'list-import-errors')).toEqual([
      { filepath: 'broken.ts', line: 2, error: 'Unexpected token ";"', timestamp: '2026-01-03T00:00:00.000Z' },
    ]);
  });

  it('reports DAGs per file', async () => {
    const rows = await json<Array<Record<string, unknown>>>('remote', 'dags', 'report');
    expect(rows).toEqual([{ file: 'etl.ts', dag_num: 2, dags: ['etl', 'report'], last_parsed_time: '2024-05-01T10:00:00.123Z', has_import_errors: false }]);
  });

  it('pauses and unpauses a DAG', async () => {
    expect((await h.run('remote', ['dags', 'pause', 'report'])).stdout).toBe('Dag: report, paused: true\n');
    expect((await h.run('local', ['dags', 'unpause', 'report'])).stdout).toBe('Dag: report, paused: false\n');
    expect((await h.metastore.getDag('report'))?.isPaused).toBe(false);
  });

  it('shows a DAG and its next execution', async () => {
    const details = await json<Record<string, unknown>>('remote', 'dags', 'show', 'etl');
    expect(details).toMatchObject({ dag_id: 'etl', fileloc: 'etl.ts', catchup: false });
    const table = await both('dags', 'show', 'etl');
    expect(table.stdout).toMatch(/^dag_id +\| etl$/m);
    const next = await both('dags', 'next-execution', 'etl');
    expect(next.stdout).toBe('None\n');
  });

  it('lists the runs of a DAG', async () => {
    const runs = await json<Array<Record<string, unknown>>>('local', 'dags', 'list-runs', 'etl', '--state', 'success');
    expect(runs).toEqual([
      {
        dag_id: 'etl',
        run_id: RUN.runId,
        state: 'success',
        run_after: '2026-01-02T00:00:00.000Z',
        logical_date: '2026-01-01T00:00:00.000Z',
        start_date: '2026-01-02T00:00:01.000Z',
        end_date: '2026-01-02T00:00:09.000Z',
      },
    ]);
  });

  it('triggers a run and, with --wait, follows it to success (exit 0) or failure (exit 1)', async () => {
    const [created] = await json<Array<Record<string, unknown>>>('remote', 'dags', 'trigger', 'etl', '--conf', '{"n": 3}', '--logical-date', '2026-02-01');
    expect(created).toMatchObject({ dag_id: 'etl', state: 'queued', logical_date: '2026-02-01T00:00:00.000Z', conf: { n: 3 } });

    const finish = (state: 'success' | 'failed', runId: string) => async () => {
      await h.metastore.updateDagRun({ dagId: 'etl', runId }, { state, endDate: new Date() });
    };
    h.setOnSleep(finish('success', 'manual__2026-03-01T00:00:00+00:00'));
    const ok = await h.run('local', ['dags', 'trigger', 'etl', '-l', '2026-03-01', '-r', 'manual__2026-03-01T00:00:00+00:00', '--wait', '--poll-interval', '1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Waiting for DAG run manual__2026-03-01T00:00:00+00:00 (queued)...');
    expect(ok.stderr).toContain('DAG run manual__2026-03-01T00:00:00+00:00: success');

    h.setOnSleep(finish('failed', 'manual__2026-03-02T00:00:00+00:00'));
    const failed = await h.run('remote', ['dags', 'trigger', 'etl', '-l', '2026-03-02', '-r', 'manual__2026-03-02T00:00:00+00:00', '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('ended failed');
  });

  it('deletes a DAG only when confirmed', async () => {
    const refused = await h.run('local', ['dags', 'delete', 'report']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect((await h.run('local', ['dags', 'delete', 'report'], { confirm: false })).stderr).toBe('Cancelled.\n');
    const deleted = await h.run('remote', ['dags', 'delete', 'report', '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted DAG report.\n' });
    expect(await h.metastore.getDag('report')).toBeNull();
  });
});

describe('tasks commands', () => {
  it('shows the states of a run', async () => {
    const { stdout } = await both('tasks', 'states-for-dag-run', 'etl', RUN.runId);
    expect(stdout).toMatch(/^etl +\| 2026-01-01T00:00:00.000Z \| extract \| -1 +\| success \| 1 +\| 2026-01-02T00:00:02/m);
    const rows = await json<Array<Record<string, unknown>>>('remote', 'tasks', 'states-for-dag-run', 'etl', RUN.runId);
    expect(rows.map((row) => [row.task_id, row.state, row.try_number])).toEqual([
      ['extract', 'success', 1],
      ['load', 'failed', 2],
    ]);
  });

  it("prints a task's log", async () => {
    const { code, stdout } = await both('tasks', 'logs', 'etl', RUN.runId, 'extract');
    expect(code).toBe(0);
    expect(stdout).toContain('extracted 42 rows');
  });

  it('clears failed task instances after a dry run', async () => {
    const dry = await json<Array<Record<string, unknown>>>('local', 'tasks', 'clear', 'etl', '--run-id', RUN.runId, '--dry-run');
    expect(dry.map((row) => row.task_id)).toEqual(['load']);
    expect((await h.metastore.getTaskInstance({ dagId: 'etl', runId: RUN.runId, taskId: 'load', mapIndex: -1 }))?.state).toBe('failed');
    const cleared = await h.run('remote', ['tasks', 'clear', 'etl', '--run-id', RUN.runId, '--yes']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await h.metastore.getTaskInstance({ dagId: 'etl', runId: RUN.runId, taskId: 'load', mapIndex: -1 }))?.state).not.toBe('failed');
  });
});

describe('pools, variables and connections', () => {
  it('sets, gets, lists, exports, imports and deletes pools', async () => {
    expect((await h.run('local', ['pools', 'set', 'warehouse', '4', 'Warehouse queries'])).code).toBe(0);
    expect((await h.run('remote', ['pools', 'set', 'warehouse', '6', 'Warehouse queries', '--include-deferred'])).code).toBe(0);
    const [pool] = await json<Array<Record<string, unknown>>>('local', 'pools', 'get', 'warehouse');
    expect(pool).toMatchObject({ pool: 'warehouse', slots: 6, description: 'Warehouse queries', include_deferred: true });
    const files = new Map<string, string>();
    expect((await h.run('remote', ['pools', 'export', 'pools.json'], { files })).stdout).toMatch(/^Exported \d+ pool\(s\) to pools.json.\n$/);
    expect(JSON.parse(files.get('pools.json')!)).toMatchObject({ warehouse: { slots: 6, description: 'Warehouse queries', include_deferred: true } });
    files.set('more.json', JSON.stringify({ api: { slots: 2, description: 'API calls' } }));
    expect((await h.run('local', ['pools', 'import', 'more.json'], { files })).stdout).toBe('Uploaded 1 pool(s) from more.json.\n');
    const names = (await json<Array<{ pool: string }>>('remote', 'pools', 'list')).map((row) => row.pool);
    expect(names).toEqual(expect.arrayContaining(['api', 'warehouse', 'default_pool']));
    expect((await h.run('local', ['pools', 'delete', 'api'])).code).toBe(0);
    expect(await h.pools.getPool('api')).toBeNull();
    expect((await h.run('remote', ['pools', 'get', 'api'])).code).toBe(1);
    expect((await h.run('local', ['pools', 'set', 'bad', 'many', 'x'])).code).toBe(2);
  });

  it('sets, gets, lists, imports, exports and deletes variables', async () => {
    expect((await h.run('local', ['variables', 'set', 'bucket', 'my-data'])).stdout).toBe('Variable bucket set.\n');
    expect((await h.run('remote', ['variables', 'set', 'limits', '{"rows": 10}', '--json', '--description', 'ETL limits'])).code).toBe(0);
    expect((await both('variables', 'get', 'bucket')).stdout).toBe('my-data\n');
    expect((await h.run('remote', ['variables', 'get', 'limits', '--json'])).stdout).toBe('{\n  "rows": 10\n}\n');
    expect((await h.run('local', ['variables', 'get', 'missing'])).code).toBe(1);
    expect((await h.run('local', ['variables', 'get', 'missing', '--default', 'fallback'])).stdout).toBe('fallback\n');
    const files = new Map([['vars.json', JSON.stringify({ bucket: 'other', region: 'eu-west-1' })]]);
    expect((await h.run('remote', ['variables', 'import', 'vars.json', '--action-on-existing-key', 'skip'], { files })).stdout).toBe(
      '1 of 2 variable(s) imported from vars.json (1 existing skipped).\n',
    );
    expect((await h.run('local', ['variables', 'import', 'vars.json', '--action-on-existing-key', 'fail'], { files })).code).toBe(2);
    expect((await h.run('local', ['variables', 'export', 'out.json'], { files })).code).toBe(0);
    expect(JSON.parse(files.get('out.json')!)).toEqual({ bucket: 'my-data', limits: { rows: 10 }, region: 'eu-west-1' });
    expect(await json('remote', 'variables', 'list')).toEqual([{ key: 'bucket' }, { key: 'limits' }, { key: 'region' }]);
    expect((await h.run('remote', ['variables', 'delete', 'region'])).stdout).toBe('Variable region deleted.\n');
    expect(await h.metastore.getVariable('region')).toBeNull();
  });

  it('adds, gets, lists and deletes connections, never showing a password', async () => {
    const added = await h.run('local', ['connections', 'add', 'warehouse', '--conn-uri', 'postgres://etl:s3cret@db.example.com:5432/analytics']);
    expect(added.stdout).toBe('Successfully added `conn_id`=warehouse : postgres://db.example.com:5432\n');
    expect((await h.run('remote', ['connections', 'add', 'api', '--conn-type', 'http', '--conn-host', 'api.example.com', '--conn-extra', '{"timeout": 30}'])).code).toBe(0);
    const [warehouse] = await json<Array<Record<string, unknown>>>('remote', 'connections', 'get', 'warehouse');
    expect(warehouse).toMatchObject({ conn_id: 'warehouse', conn_type: 'postgres', host: 'db.example.com', port: 5432, login: 'etl', schema: 'analytics', password: '***' });
    const list = await both('connections', 'list');
    expect(list.stdout).not.toContain('s3cret');
    expect((await h.run('local', ['connections', 'add', 'warehouse', '--conn-uri', 'postgres://x'])).code).toBe(1);
    expect((await h.run('local', ['connections', 'add', 'x', '--conn-uri', 'nonsense'])).code).toBe(2);
    expect((await h.run('remote', ['connections', 'delete', 'api'])).stdout).toBe('Successfully deleted connection with `conn_id`=api\n');
  });
});

describe('info, authentication and exit codes', () => {
  it('says where it points and how it authenticates', async () => {
    const local = await json<Record<string, unknown>>('local', 'info');
    expect(local).toMatchObject({ mode: 'local', home: '/state/.updraft', auth: 'local admin (whoever can read the state folder)', executor: 'local' });
    const remote = await json<Record<string, unknown>>('remote', 'info');
    expect(remote).toMatchObject({ updraft_version: '9.8.7', mode: 'remote', api_url: h.url, auth: 'bearer token' });
  });

  it('logs in with UPDRAFT_API_USERNAME and UPDRAFT_API_PASSWORD', async () => {
    const env = { UPDRAFT_API_URL: h.url, UPDRAFT_API_USERNAME: ADMIN.username, UPDRAFT_API_PASSWORD: ADMIN.password };
    const result = await h.run('remote', ['variables', 'get', 'bucket'], { env });
    expect(result).toMatchObject({ code: 0, stdout: 'my-data\n' });
    const wrong = await h.run('remote', ['variables', 'get', 'bucket'], { env: { ...env, UPDRAFT_API_PASSWORD: 'nope' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('Check UPDRAFT_API_USERNAME and UPDRAFT_API_PASSWORD');
  });

  it('exits 4 without a token or with a bad one, 1 for what does not exist, 2 for usage, 5 when unreachable', async () => {
    const anonymous = await h.run('remote', ['dags', 'list'], { env: { UPDRAFT_API_URL: h.url } });
    expect(anonymous.code).toBe(4);
    expect(anonymous.stderr).toContain('Not authenticated');
    expect(anonymous.stderr).toContain('--token or UPDRAFT_API_TOKEN');
    expect((await h.run('remote', ['dags', 'list'], { env: { UPDRAFT_API_URL: h.url, UPDRAFT_API_TOKEN: 'forged' } })).code).toBe(4);
    const missing = await h.run('local', ['dags', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Not found:');
    expect((await h.run('local', ['dags', 'list', '-o', 'xml'])).code).toBe(2);
    expect((await h.run('local', ['dags', 'trigger', 'etl', '--conf', '[1]'])).code).toBe(2);
    const bad = await h.run('remote', ['dags', 'list-runs', 'etl', '--state', 'sleeping']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('query.state');
    const port = await closedPort();
    const down = await h.run('remote', ['dags', 'list'], { env: { UPDRAFT_API_URL: `http://127.0.0.1:${port}`, UPDRAFT_API_TOKEN: h.token } });
    expect(down.code).toBe(5);
    expect(down.stderr).toContain(`Cannot reach the REST API at http://127.0.0.1:${port}`);
  });

  it('has examples in the help of every command', async () => {
    for (const args of [['dags', 'list'], ['dags', 'trigger'], ['tasks', 'clear'], ['pools', 'set'], ['variables', 'import'], ['connections', 'add'], ['info']]) {
      const result = await h.run('local', [...args, '--help']);
      expect(result.stdout, args.join(' ')).toContain('Examples:\n  $ updraft ');
    }
  });
});
